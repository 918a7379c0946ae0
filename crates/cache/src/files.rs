//! Private files: the cache holds live gate access codes, names and phone numbers, so on Unix
//! every folder Gatehouse keeps data in is `0700` and every file in it `0600`, whatever the
//! umask. Files are written through a create-new temporary file beside the target, renamed over
//! it: a crash leaves the old file or the new one, and a link planted at the target is replaced,
//! never followed. (On Windows and macOS the per-user data folders' ACLs already keep other
//! users out; these calls create and write there as usual.)

use std::io::Write;
use std::path::Path;

/// The mode of a private folder.
pub const DIR_MODE: u32 = 0o700;
/// The mode of a private file.
pub const FILE_MODE: u32 = 0o600;

/// Creates `dir` (and any missing parent) as a private folder, and makes it private if it
/// already exists.
pub fn private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, DIR_MODE);
    builder.create(dir)?;
    restrict(dir, DIR_MODE)
}

/// Makes an existing file private (`0600`); a missing one is no error.
pub fn private_file(path: &Path) -> std::io::Result<()> {
    match restrict(path, FILE_MODE) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        other => other,
    }
}

/// Writes `path` as a private file through a create-new temporary file in the same folder,
/// renamed over it once `write` has filled it.
pub fn write_private(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    // `tempfile` creates it with O_EXCL and mode 0600.
    let mut tmp = tempfile::Builder::new()
        .prefix(".gatehouse-")
        .suffix(".tmp")
        .tempfile_in(dir)?;
    {
        let mut out = std::io::BufWriter::new(tmp.as_file_mut());
        write(&mut out)?;
        out.flush()?;
    }
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(unix)]
fn restrict(path: &Path, mode: u32) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let meta = std::fs::metadata(path)?;
    if meta.permissions().mode() & 0o777 != mode {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))?;
    }
    Ok(())
}

#[cfg(not(unix))]
fn restrict(path: &Path, _mode: u32) -> std::io::Result<()> {
    std::fs::metadata(path).map(|_| ())
}

/// The permission bits of `path` (Unix), for tests and checks.
#[cfg(unix)]
pub fn mode_of(path: &Path) -> std::io::Result<u32> {
    use std::os::unix::fs::PermissionsExt;
    Ok(std::fs::metadata(path)?.permissions().mode() & 0o777)
}

/// The cache's files beside the database: SQLite's write-ahead log and shared memory.
pub(crate) fn side_files(path: &Path) -> [std::path::PathBuf; 2] {
    ["-wal", "-shm"].map(|suffix| sibling(path, suffix))
}

/// `path` with `suffix` appended to its file name.
pub(crate) fn sibling(path: &Path, suffix: &str) -> std::path::PathBuf {
    let mut side = path.as_os_str().to_owned();
    side.push(suffix);
    std::path::PathBuf::from(side)
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn folders_and_files_are_private_whatever_was_there() {
        let tmp = tempfile::tempdir().unwrap();
        let nested = tmp.path().join("a/b");
        private_dir(&nested).unwrap();
        assert_eq!(mode_of(&nested).unwrap(), 0o700);
        assert_eq!(mode_of(&tmp.path().join("a")).unwrap(), 0o700);

        let open = tmp.path().join("open");
        std::fs::create_dir(&open).unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o755)).unwrap();
        private_dir(&open).unwrap();
        assert_eq!(mode_of(&open).unwrap(), 0o700);

        let file = open.join("x.json");
        std::fs::write(&file, b"old").unwrap();
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
        write_private(&file, |w| w.write_all(b"new")).unwrap();
        assert_eq!(std::fs::read(&file).unwrap(), b"new");
        assert_eq!(mode_of(&file).unwrap(), 0o600);
        assert_eq!(
            std::fs::read_dir(&open).unwrap().count(),
            1,
            "no temp file left"
        );
        private_file(&open.join("missing")).unwrap();
    }

    #[test]
    fn a_link_at_the_target_is_replaced_not_followed() {
        let tmp = tempfile::tempdir().unwrap();
        let victim = tmp.path().join("victim");
        std::fs::write(&victim, b"keep me").unwrap();
        let target = tmp.path().join("export.csv");
        std::os::unix::fs::symlink(&victim, &target).unwrap();
        write_private(&target, |w| w.write_all(b"rows")).unwrap();
        assert_eq!(std::fs::read(&victim).unwrap(), b"keep me");
        assert_eq!(std::fs::read(&target).unwrap(), b"rows");
        assert!(!std::fs::symlink_metadata(&target).unwrap().is_symlink());
    }

    #[test]
    fn a_failed_write_leaves_the_old_file() {
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join("profiles.json");
        std::fs::write(&file, b"old").unwrap();
        let err = write_private(&file, |_| Err(std::io::Error::other("disk full"))).unwrap_err();
        assert!(err.to_string().contains("disk full"));
        assert_eq!(std::fs::read(&file).unwrap(), b"old");
        assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 1);
    }
}
