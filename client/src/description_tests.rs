use super::*;

const AFFINE: &str = "affine=-4,0,0,126,0,4,0,-90,0,0,8,-72,0,0,0,1";

fn line(n: usize, geometry: &str) -> String {
    format!(
        "canvas {n} shmid=32769 {geometry} spacing=4,4.5,8 tstep=3 units=mm,sec slope=0.0754 inter=3100.8 {AFFINE}\n"
    )
}

fn one(geometry: &str) -> String {
    format!("mxcanvas 1\n{}", line(0, geometry))
}

const GOOD: &str = "width=64 height=64 depth=10 frames=1 type=int16 bytes=81920";

#[test]
fn reads_every_key() {
    let text = format!(
        "mxcanvas 1\n{}canvas 1 shmid=0 width=2 height=3 depth=1 frames=4 type=float64 bytes=192 spacing=1.5,2,1e-3 \
         tstep=NaN units=micron,usec slope=1 inter=0 affine=1,0,0,0,0,1,0,0,0,0,1,0,0,0,0,1 later=keys ignored=1\n",
        line(0, GOOD)
    );
    let d = Description::parse(&text, 0).unwrap();
    assert_eq!((d.shmid(), d.index(), d.bytes(), d.is_from_env()), (32769, 0, 81920, true));
    let g = d.geometry();
    assert_eq!((g.width(), g.height(), g.depth(), g.frames(), g.voxel_type()), (64, 64, 10, 1, VoxelType::Int16));
    assert_eq!(d.spacing(), [4.0, 4.5, 8.0]);
    assert_eq!(d.zooms(), vec![4.0, 4.5, 8.0]);
    assert_eq!((d.tstep(), d.space_unit(), d.time_unit()), (3.0, "mm", "sec"));
    assert_eq!(d.scaling(), Scaling { slope: 0.0754, inter: 3100.8 });
    assert_eq!(d.scaling().real(100.0), 100.0 * 0.0754 + 3100.8);
    assert!((d.scaling().stored(d.scaling().real(100.0)) - 100.0).abs() < 1e-9);
    assert_eq!(d.affine()[0], [-4.0, 0.0, 0.0, 126.0]);
    assert_eq!(d.affine()[2], [0.0, 0.0, 8.0, -72.0]);
    assert_eq!(d.world(1.0, 2.0, 3.0), [122.0, -82.0, -48.0]);

    let d = Description::parse(&text, 1).unwrap();
    assert_eq!((d.shmid(), d.index(), d.geometry().frames(), d.bytes()), (0, 1, 4, 192));
    assert!(d.tstep().is_nan());
    assert_eq!(d.zooms().len(), 4);
    assert_eq!((d.space_unit(), d.time_unit()), ("micron", "usec"));

    let e = Description::parse(&text, 2).unwrap_err();
    assert_eq!(e.to_string(), "MXCANVAS: no canvas 2: MXCANVAS describes 2 canvases (0 to 1)");
    let e = Description::parse("mxcanvas 1\n", 0).unwrap_err();
    assert_eq!(e.to_string(), "MXCANVAS: no canvas 0: MXCANVAS describes no canvas");
    let specials = one("width=1 height=1 depth=1 frames=1 type=uint8 bytes=1")
        .replace("spacing=4,4.5,8", "spacing=inf,-INF,nan")
        .replace("slope=0.0754", "slope=1E3");
    let d = Description::parse(&specials, 0).unwrap();
    assert!(d.spacing()[0] == f64::INFINITY && d.spacing()[1] == f64::NEG_INFINITY && d.spacing()[2].is_nan());
    assert_eq!(d.scaling().slope, 1000.0);
}

#[test]
fn refuses_what_is_malformed() {
    let good = one(GOOD);
    let cases: Vec<(String, &str)> = vec![
        (String::new(), "the first line \"\" is not \"mxcanvas 1\""),
        (good.replace("mxcanvas 1", "mxcanvas 2"), "the first line \"mxcanvas 2\" is not"),
        ("mxcanvas 1".into(), "the first line \"mxcanvas 1\" does not end with a newline"),
        (good.trim_end().into(), "line 2 does not end with a newline"),
        (good.replace("canvas 0", "canvas 1"), "line 2: expected \"canvas 0 ...\""),
        (good.clone() + "\n", "line 3: expected \"canvas 1 ...\" where \"\" is"),
        (
            good.replace("bytes=81920", "bytes=81919"),
            "canvas 0: bytes=81919, but a 64x64x10x1 int16 canvas is 81920 bytes",
        ),
        (good.replace("width=64", "width=0"), "canvas 0: bad width \"0\": expected an integer >= 1"),
        (good.replace("width=64", "width=-64"), "canvas 0: bad width \"-64\""),
        (good.replace("width=64", "width=+64"), "canvas 0: bad width \"+64\""),
        (good.replace("type=int16", "type=int128"), "canvas 0: bad type \"int128\""),
        (good.replace("shmid=32769", "shmid=2147483648"), "canvas 0: bad shmid \"2147483648\""),
        (good.replace("shmid=32769", "shmid=4294967297"), "canvas 0: bad shmid \"4294967297\""),
        (
            good.replace("width=64 height=64", "height=64 width=64"),
            "canvas 0: expected key width= where \"height=64\" is",
        ),
        (good.replace("width=64 ", "width=64  "), "canvas 0: expected key height= where \"\" is"),
        (good.replace("spacing=4,4.5,8", "spacing=4,4.5"), "canvas 0: bad spacing \"4,4.5\""),
        (good.replace("spacing=4,4.5,8", "spacing=4,4.5,8,1"), "canvas 0: bad spacing"),
        (good.replace("spacing=4,4.5,8", "spacing=4,,8"), "canvas 0: bad spacing"),
        (good.replace("tstep=3", "tstep=0x10"), "canvas 0: bad tstep \"0x10\""),
        (good.replace("tstep=3", "tstep=1e999"), "canvas 0: bad tstep"),
        (good.replace("units=mm,sec", "units=cm,sec"), "canvas 0: bad units \"cm,sec\""),
        (good.replace("units=mm,sec", "units=mm"), "canvas 0: bad units \"mm\""),
        (good.replace("slope=0.0754", "slope=nan(1)"), "canvas 0: bad slope"),
        (good.replace("slope=0.0754", "slope=--1"), "canvas 0: bad slope"),
        (good.replace(",0,0,0,1\n", ",0,0,0\n"), "canvas 0: bad affine"),
        (good.replace(",0,0,0,1\n", ",0,0,0,1,2\n"), "canvas 0: bad affine"),
        (good.replace(&format!(" {AFFINE}"), ""), "canvas 0: the line ends after inter: expected affine= next"),
        (
            one("width=4611686018427387904 height=4611686018427387904 depth=1 frames=1 type=uint8 bytes=1"),
            "canvas 0: bytes=1, but a 4611686018427387904x4611686018427387904x1x1 uint8 canvas is more than",
        ),
        (good.clone() + "canvas 1 shmid=x\n", "canvas 1: bad shmid \"x\""),
    ];
    for (text, message) in cases {
        let e = Description::parse(&text, 0).unwrap_err();
        assert!(matches!(e, Error::Env { .. }), "{text:?}: {e:?}");
        assert!(e.to_string().starts_with(&format!("MXCANVAS: {message}")), "{text:?}: {e}");
    }
}

#[test]
fn arguments_first_else_the_environment() {
    let args = ["5", "4", "3", "2", "1", "int16", "--box", "1"];
    let (d, rest) = Description::from_args_or_env(&args).unwrap();
    assert_eq!((d.shmid(), d.bytes(), d.is_from_env()), (5, 48, false));
    assert_eq!(rest, &["--box", "1"]);
    assert_eq!(
        (d.scaling(), d.space_unit(), d.affine()[1]),
        (Scaling { slope: 1.0, inter: 0.0 }, "unknown", [0.0, 1.0, 0.0, 0.0])
    );
    let e = Description::from_args_or_env(&["5", "4", "3", "2", "1", "int128"]).unwrap_err();
    assert!(e.to_string().starts_with("bad voxel type \"int128\""), "{e}");
    let e = Description::from_args_or_env(&["5", "4", "0", "2", "1", "int16"]).unwrap_err();
    assert_eq!(e.to_string(), "bad height \"0\": expected an integer >= 1");
}

#[test]
fn a_thousand_canvases_and_huge_numbers() {
    let mut text = String::from("mxcanvas 1\n");
    for n in 0..1000 {
        text.push_str(&line(n, "width=2 height=1 depth=1 frames=1 type=uint8 bytes=2"));
    }
    assert_eq!(Description::parse(&text, 999).unwrap().index(), 999);
    let huge = one(&format!("width={} height=1 depth=1 frames=1 type=uint8 bytes=2", "9".repeat(5000)));
    let e = Description::parse(&huge, 0).unwrap_err();
    assert!(e.to_string().starts_with("MXCANVAS: canvas 0: bad width \"999"), "{e}");
}
