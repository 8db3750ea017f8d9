//! Writing files so that a failure leaves them as they were: one file ([`write_atomic`]) or several that must
//! agree, such as spec, lock and surface file ([`write_files_atomically`]).

use std::path::{Path, PathBuf};

/// A temporary file name in `path`'s folder (so that a rename over `path` is atomic), tagged `tag`.
pub(crate) fn temp_beside(path: &Path, tag: &str) -> PathBuf {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    dir.join(format!(".{file_name}.{tag}-{}", std::process::id()))
}

/// Removes the temporary files and backups that an interrupted [`write_files_atomically`] left in `dir` for
/// the files `names`: exactly `.NAME.tmp-PID` and `.NAME.bak-PID` (PID all digits), skipping those of a process
/// still running (`/proc/PID` exists). Returns the paths removed; an error names the file it could not remove.
pub(crate) fn remove_leftovers(dir: &Path, names: &[&str]) -> Result<Vec<PathBuf>, String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(Vec::new());
    };
    let mut removed = Vec::new();
    for entry in entries.flatten() {
        let file_name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = leftover_pid(&file_name, names) else {
            continue;
        };
        if pid != std::process::id().to_string() && Path::new("/proc").join(pid).exists() {
            continue;
        }
        let path = entry.path();
        if !entry
            .file_type()
            .is_ok_and(|t| t.is_file() || t.is_symlink())
        {
            continue;
        }
        std::fs::remove_file(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        removed.push(path);
    }
    removed.sort();
    Ok(removed)
}

/// The PID of `file_name` if it is `.NAME.tmp-PID` or `.NAME.bak-PID` for one of `names`.
fn leftover_pid<'a>(file_name: &'a str, names: &[&str]) -> Option<&'a str> {
    let rest = file_name.strip_prefix('.')?;
    names.iter().find_map(|name| {
        let tail = rest.strip_prefix(name)?;
        let pid = tail
            .strip_prefix(".tmp-")
            .or_else(|| tail.strip_prefix(".bak-"))?;
        (!pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit())).then_some(pid)
    })
}

/// Writes `bytes` to a temporary file beside `path`, then renames it over `path`: never half-written, and no
/// temporary file left behind on failure.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), String> {
    write_files_atomically(&[(path, bytes)])
}

/// One file of [`write_files_atomically`] on its way to its place.
struct Staged<'a> {
    path: &'a Path,
    /// The new content, written in full.
    tmp: PathBuf,
    /// A link to (or copy of) the file `path` held before, while later renames may still fail; `None` when
    /// there was no file, or for the last file (nothing can fail after its rename).
    backup: Option<PathBuf>,
}

/// Writes every `(path, bytes)` so that either all files have their new content or all keep their old one:
/// every new content goes to a temporary file beside its path first; the files that a later failure would
/// have to restore are kept as backups; then the temporary files are renamed over the paths. If a rename
/// fails, the files already replaced get their previous content back (or are removed if they are new), the
/// error names them, and no temporary file or backup is left behind.
pub(crate) fn write_files_atomically(files: &[(&Path, &[u8])]) -> Result<(), String> {
    let mut staged: Vec<Staged<'_>> = Vec::with_capacity(files.len());
    let discard = |staged: &[Staged<'_>]| {
        for s in staged {
            let _ = std::fs::remove_file(&s.tmp);
            if let Some(backup) = &s.backup {
                let _ = std::fs::remove_file(backup);
            }
        }
    };
    for (i, (path, bytes)) in files.iter().enumerate() {
        let tmp = temp_beside(path, "tmp");
        if let Err(e) = std::fs::write(&tmp, bytes) {
            let _ = std::fs::remove_file(&tmp);
            discard(&staged);
            return Err(format!("{}: {e}; nothing was written", tmp.display()));
        }
        let mut entry = Staged {
            path,
            tmp,
            backup: None,
        };
        let is_file = std::fs::symlink_metadata(path).is_ok_and(|m| !m.is_dir());
        if is_file && i + 1 < files.len() {
            let backup = temp_beside(path, "bak");
            let _ = std::fs::remove_file(&backup);
            let kept = std::fs::hard_link(path, &backup)
                .or_else(|_| std::fs::copy(path, &backup).map(drop));
            entry.backup = Some(backup);
            if let Err(e) = kept {
                staged.push(entry);
                discard(&staged);
                return Err(format!(
                    "{}: cannot keep a backup: {e}; nothing was written",
                    path.display()
                ));
            }
        }
        staged.push(entry);
    }
    for (i, s) in staged.iter().enumerate() {
        if let Err(e) = std::fs::rename(&s.tmp, s.path) {
            let undo = restore(&staged[..i]);
            discard(&staged[i..]);
            return Err(format!("{}: {e}; {undo}", s.path.display()));
        }
    }
    discard(&staged);
    Ok(())
}

/// Puts back the files of `done`, already replaced, as they were; says what it did, for the error message.
fn restore(done: &[Staged<'_>]) -> String {
    if done.is_empty() {
        return "nothing was written".to_owned();
    }
    let mut restored = Vec::new();
    let mut failed = Vec::new();
    for s in done.iter().rev() {
        let result = match &s.backup {
            Some(backup) => std::fs::rename(backup, s.path),
            None => std::fs::remove_file(s.path),
        };
        match result {
            Ok(()) => restored.push(s.path.display().to_string()),
            Err(e) => failed.push(match &s.backup {
                Some(backup) => format!(
                    "{} (its previous content is in {}: {e})",
                    s.path.display(),
                    backup.display()
                ),
                None => format!("{} (new, not removed: {e})", s.path.display()),
            }),
        }
    }
    let mut text = format!("restored {}", restored.join(", "));
    if !failed.is_empty() {
        text.push_str(&format!("; could not restore {}", failed.join(", ")));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fresh empty folder for the test `name`.
    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("xtask-files-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn only_exact_leftover_names_match() {
        let names = ["partoo.yaml", "partoo.lock"];
        assert_eq!(leftover_pid(".partoo.yaml.tmp-12", &names), Some("12"));
        assert_eq!(leftover_pid(".partoo.lock.bak-7", &names), Some("7"));
        for other in [
            "partoo.yaml.tmp-12",
            ".partoo.yaml.tmp-",
            ".partoo.yaml.tmp-1x",
            ".partoo.yaml.old-1",
            ".other.tmp-1",
        ] {
            assert_eq!(leftover_pid(other, &names), None, "{other}");
        }
    }

    #[test]
    fn every_file_is_replaced_and_no_temporary_file_is_left() {
        let dir = scratch("ok");
        let (a, b) = (dir.join("a"), dir.join("b"));
        std::fs::write(&a, "old a").unwrap();
        write_files_atomically(&[(a.as_path(), b"new a"), (b.as_path(), b"new b")]).unwrap();
        assert_eq!(std::fs::read_to_string(&a).unwrap(), "new a");
        assert_eq!(std::fs::read_to_string(&b).unwrap(), "new b");
        assert_eq!(names(&dir), ["a", "b"]);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_failed_rename_restores_the_files_already_replaced() {
        let dir = scratch("rollback");
        let (a, b, c) = (dir.join("a"), dir.join("b"), dir.join("c"));
        std::fs::write(&a, "old a").unwrap();
        // `b` is new; `c` is a folder, so the rename over it fails after `a` and `b` were renamed.
        std::fs::create_dir(&c).unwrap();
        let err = write_files_atomically(&[
            (a.as_path(), b"new a"),
            (b.as_path(), b"new b"),
            (c.as_path(), b"new c"),
        ])
        .unwrap_err();
        assert_eq!(std::fs::read_to_string(&a).unwrap(), "old a");
        assert!(!b.exists(), "the new file b is removed again");
        assert_eq!(names(&dir), ["a", "c"], "no temporary file or backup left");
        assert!(
            err.starts_with(&c.display().to_string())
                && err.contains(&format!("restored {}, {}", b.display(), a.display())),
            "{err}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn the_second_target_being_a_folder_leaves_the_first_file_as_it_was() {
        let dir = scratch("folder");
        let (a, b) = (dir.join("a"), dir.join("b"));
        std::fs::write(&a, "old a").unwrap();
        std::fs::create_dir(&b).unwrap();
        let err = write_files_atomically(&[(a.as_path(), b"new a"), (b.as_path(), b"new b")])
            .unwrap_err();
        assert_eq!(std::fs::read_to_string(&a).unwrap(), "old a");
        assert_eq!(names(&dir), ["a", "b"]);
        assert!(err.contains(&format!("restored {}", a.display())), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_failed_staging_write_changes_nothing() {
        let dir = scratch("staging");
        let a = dir.join("a");
        std::fs::write(&a, "old a").unwrap();
        let missing = dir.join("no-such-dir/b");
        let err = write_files_atomically(&[(a.as_path(), b"new a"), (missing.as_path(), b"b")])
            .unwrap_err();
        assert!(err.ends_with("nothing was written"), "{err}");
        assert_eq!(std::fs::read_to_string(&a).unwrap(), "old a");
        assert_eq!(names(&dir), ["a"]);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// The temporary file exists but the write into it fails (here: it links to `/dev/full`, so the write
    /// runs out of space): it is removed.
    #[cfg(target_os = "linux")]
    #[test]
    fn a_failed_write_removes_its_temporary_file() {
        if !Path::new("/dev/full").exists() {
            return;
        }
        let dir = scratch("full");
        let a = dir.join("a");
        std::os::unix::fs::symlink("/dev/full", temp_beside(&a, "tmp")).unwrap();
        let err = write_atomic(&a, b"new a").unwrap_err();
        assert!(err.contains("nothing was written"), "{err}");
        assert!(names(&dir).is_empty(), "{:?}", names(&dir));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
