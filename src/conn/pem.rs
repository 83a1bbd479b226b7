//! The certificate files TLS uses, found and checked as libpq does: the root certificates
//! (`sslrootcert`, else `~/.postgresql/root.crt`) and the client certificate and key
//! (`sslcert` / `sslkey`, else `~/.postgresql/postgresql.crt` / `.key` when they exist).

use std::os::unix::fs::MetadataExt as _;
use std::path::{Path, PathBuf};

use rustls::pki_types::{CertificateDer, PrivateKeyDer};

use super::env::Env;
use super::io_reason;

/// A client certificate chain and its private key.
pub type Identity = (Vec<CertificateDer<'static>>, PrivateKeyDer<'static>);

/// The root certificate file to verify against: `sslrootcert` (`system` means none: the
/// bundled web roots), else `~/.postgresql/root.crt` when it exists.
pub fn root_file(rootcert: Option<&str>, env: &Env) -> Option<PathBuf> {
    match rootcert {
        Some("system") => None,
        Some(path) => Some(PathBuf::from(path)),
        None => env.in_home(".postgresql/root.crt").filter(|p| p.is_file()),
    }
}

/// Every certificate in a PEM file (at least one).
pub fn certificates(path: &Path, what: &str) -> Result<Vec<CertificateDer<'static>>, String> {
    let shown = path.display();
    let text = std::fs::read(path)
        .map_err(|e| format!("could not read {what} file \"{shown}\": {}", io_reason(&e)))?;
    let certs = rustls_pemfile::certs(&mut text.as_slice())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("could not parse {what} file \"{shown}\": {e}"))?;
    if certs.is_empty() {
        return Err(format!("no certificates found in {what} file \"{shown}\""));
    }
    Ok(certs)
}

/// The client certificate and key, `None` when no certificate is configured and the default
/// one does not exist (libpq then connects without one).
pub fn identity(
    cert: Option<&str>,
    key: Option<&str>,
    env: &Env,
) -> Result<Option<Identity>, String> {
    let cert = match cert {
        Some(path) => PathBuf::from(path),
        None => match env.in_home(".postgresql/postgresql.crt") {
            Some(path) if path.is_file() => path,
            _ => return Ok(None),
        },
    };
    // libpq: a certificate file that does not exist means "no client certificate".
    if cert.as_os_str().is_empty() || !cert.exists() {
        return Ok(None);
    }
    let key = key
        .map(PathBuf::from)
        .or_else(|| env.in_home(".postgresql/postgresql.key"))
        .ok_or_else(|| "certificate present, but no private key file (set sslkey)".to_owned())?;
    let chain = certificates(&cert, "client certificate")?;
    Ok(Some((chain, private_key(&key)?)))
}

/// A private key, refused when others may read it (as libpq refuses it).
fn private_key(path: &Path) -> Result<PrivateKeyDer<'static>, String> {
    let shown = path.display();
    let meta = std::fs::metadata(path).map_err(|e| {
        format!(
            "certificate present, but not private key file \"{shown}\": {}",
            io_reason(&e)
        )
    })?;
    let mode = meta.mode() & 0o777;
    let allowed = if meta.uid() == 0 { 0o640 } else { 0o600 };
    if mode & !allowed != 0 {
        return Err(format!(
            "private key file \"{shown}\" has group or world access; permissions must be \
             u=rw (0600) or less, or u=rw,g=r (0640) or less if owned by root"
        ));
    }
    let text = std::fs::read(path).map_err(|e| {
        format!(
            "could not read private key file \"{shown}\": {}",
            io_reason(&e)
        )
    })?;
    if text.windows(9).any(|w| w == b"ENCRYPTED") {
        return Err(format!(
            "private key file \"{shown}\" is encrypted, which pgmedic does not support"
        ));
    }
    rustls_pemfile::private_key(&mut text.as_slice())
        .map_err(|e| format!("could not parse private key file \"{shown}\": {e}"))?
        .ok_or_else(|| format!("no private key found in \"{shown}\""))
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt as _;

    use super::*;

    #[test]
    fn no_client_certificate_unless_configured_or_present() {
        let env = Env::empty().with_home("/nonexistent-home");
        assert!(identity(None, None, &env).unwrap().is_none());
        assert!(identity(Some(""), None, &env).unwrap().is_none());
        let missing = identity(Some("/nonexistent.crt"), Some("/nonexistent.key"), &env);
        assert!(missing.unwrap().is_none());
    }

    #[test]
    fn open_private_key_is_refused() {
        let dir = std::env::temp_dir().join(format!("pgmedic-pem-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let key = dir.join("k.key");
        std::fs::write(&key, "not a key").unwrap();
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
        let err = private_key(&key).unwrap_err();
        assert!(err.contains("has group or world access"), "{err}");
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
        let err = private_key(&key).unwrap_err();
        assert!(err.starts_with("no private key found"), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn root_file_choice() {
        let env = Env::empty().with_home("/nonexistent-home");
        assert_eq!(root_file(Some("system"), &env), None);
        assert_eq!(root_file(None, &env), None);
        assert_eq!(
            root_file(Some("/x/root.crt"), &env),
            Some(PathBuf::from("/x/root.crt"))
        );
    }
}
