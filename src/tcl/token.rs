//! [`CommandToken`]: a Tcl command, by token rather than by name (which `rename` changes).

use std::ptr::NonNull;
use tcl_sys::Tcl_Command;

/// A command created by [`super::create_command`]: Tcl's `Tcl_Command` token,
/// never NULL. A token stays valid until the command's delete callback runs;
/// whoever keeps one must drop it in that callback (as the canvas registry
/// does), so a live `CommandToken` always names a live command.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CommandToken(NonNull<tcl_sys::Tcl_Command_>);

impl CommandToken {
    /// Wrap a token Tcl returned; None for NULL (no such command).
    pub(crate) fn from_raw(token: Tcl_Command) -> Option<CommandToken> {
        NonNull::new(token).map(CommandToken)
    }

    pub(crate) fn as_raw(self) -> Tcl_Command {
        self.0.as_ptr()
    }
}
