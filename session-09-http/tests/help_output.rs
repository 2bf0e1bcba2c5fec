//! `--help` is output like any other: into a full disk it is one error line and exit 1, not a
//! silent success (clap's own exit would report 0 with the help lost).

#[cfg(target_os = "linux")]
#[test]
fn help_into_a_full_disk_is_one_line_and_exit_1() {
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_session-09-http"))
        .arg("--help")
        .stdout(full)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("error: could not write to stdout"), "{err}");
}
