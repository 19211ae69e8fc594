//! NIfTI-1 and Analyze 7.5 share one 348-byte header: its codec
//! ([`header`], [`encode`]), the `datatype` codes ([`datatype`]) and the
//! NIfTI-1 header extensions ([`extensions`]). NIfTI-2's 540-byte header
//! ([`header2`], [`encode2`]) decodes into the same [`header::Header`]. Reading and writing whole
//! files is [`super::load`] and [`super::save`].

pub mod datatype;
pub mod encode;
pub mod encode2;
pub mod extensions;
pub mod header;
pub mod header2;
