use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    /// The file is not a SQLite database, or is damaged. Rebuild it from the server.
    #[error("the local data in {} is damaged ({detail}); it will be rebuilt from the server", path.display())]
    Corrupt { path: PathBuf, detail: String },
    /// A newer Gatehouse changed the file's layout. Rebuild it, or use that newer version.
    #[error("the local data in {} was written by a newer version of Gatehouse; it will be rebuilt from the server", path.display())]
    TooNew { path: PathBuf },
    /// The file is encrypted and the key in hand does not open it: another key than the one it
    /// was written with (`sure`: its key check says so), or a file damaged where the check
    /// cannot tell. Nothing was moved; a rebuild waits for the user's word.
    #[error("the local data in {} {}; it is left as it is", path.display(), if *sure {
        "is encrypted with another key than this profile's"
    } else {
        "cannot be read with this profile's key: the key is not the one it was written with, or the file is damaged"
    })]
    WrongKey { path: PathBuf, sure: bool },
    /// The disk or the folder refused (permissions, full disk).
    #[error("cannot use the local data in {}: {detail}", path.display())]
    Io { path: PathBuf, detail: String },
    /// No such contractor, permit or outbox row here.
    #[error("{0}")]
    NotFound(String),
    /// An action that cannot succeed as things stand, said in one sentence.
    #[error("{0}")]
    Refused(String),
    /// Anything else SQLite reported.
    #[error("the local database failed: {0}")]
    Sql(String),
}

impl CacheError {
    pub(crate) fn io(path: &Path, e: std::io::Error) -> Self {
        CacheError::Io {
            path: path.to_owned(),
            detail: e.to_string(),
        }
    }

    pub(crate) fn classify(path: &Path, e: sqlx::Error) -> Self {
        if let sqlx::Error::Database(db) = &e {
            // SQLITE_CORRUPT (11) and SQLITE_NOTADB (26), with extended codes.
            let code = db.code().and_then(|c| c.parse::<i32>().ok()).unwrap_or(0) & 0xff;
            if code == 11 || code == 26 {
                return CacheError::Corrupt {
                    path: path.to_owned(),
                    detail: db.message().to_owned(),
                };
            }
            if code == 14 || code == 8 || code == 13 || code == 10 {
                // CANTOPEN, READONLY, FULL, IOERR
                return CacheError::Io {
                    path: path.to_owned(),
                    detail: db.message().to_owned(),
                };
            }
        }
        CacheError::Sql(e.to_string())
    }

    pub(crate) fn migrate(path: &Path, e: sqlx::migrate::MigrateError) -> Self {
        use sqlx::migrate::MigrateError;
        match e {
            MigrateError::VersionMissing(_) | MigrateError::VersionTooNew(..) => {
                CacheError::TooNew {
                    path: path.to_owned(),
                }
            }
            MigrateError::Execute(inner) | MigrateError::ExecuteMigration(inner, _) => {
                CacheError::classify(path, inner)
            }
            MigrateError::VersionMismatch(_) => CacheError::Corrupt {
                path: path.to_owned(),
                detail: "its schema history does not match this version's".into(),
            },
            other => CacheError::Sql(other.to_string()),
        }
    }
}
