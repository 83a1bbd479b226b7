//! TLS as libpq's sslmode defines it, with rustls (no system OpenSSL).
//!
//! `disable`: never. `allow` / `prefer`: encrypt when the server offers it, without verifying.
//! `require`: encrypt or fail, without verifying — unless a root certificate is configured,
//! in which case libpq behaves as `verify-ca` and so does this. `verify-ca`: the chain must
//! lead to a trusted root, the host name is not checked. `verify-full`: chain and host name.
//! Roots come from `sslrootcert` (PEM, or `system` for the bundled web roots), else
//! `~/.postgresql/root.crt` when it exists, else the bundled web roots.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore};
use tokio_postgres_rustls::MakeRustlsConnect;

use super::env::Env;

/// libpq's sslmode values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SslMode {
    Disable,
    Allow,
    Prefer,
    Require,
    VerifyCa,
    VerifyFull,
}

impl std::str::FromStr for SslMode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Ok(match s {
            "disable" => SslMode::Disable,
            "allow" => SslMode::Allow,
            "prefer" => SslMode::Prefer,
            "require" => SslMode::Require,
            "verify-ca" => SslMode::VerifyCa,
            "verify-full" => SslMode::VerifyFull,
            _ => return Err(format!("invalid sslmode value: \"{s}\"")),
        })
    }
}

impl std::fmt::Display for SslMode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            SslMode::Disable => "disable",
            SslMode::Allow => "allow",
            SslMode::Prefer => "prefer",
            SslMode::Require => "require",
            SslMode::VerifyCa => "verify-ca",
            SslMode::VerifyFull => "verify-full",
        })
    }
}

impl SslMode {
    /// The mode tokio-postgres negotiates with (it has no allow / verify-* of its own: the
    /// verification lives in the rustls configuration).
    #[must_use]
    pub fn negotiation(self) -> tokio_postgres::config::SslMode {
        use tokio_postgres::config::SslMode as Pg;
        match self {
            SslMode::Disable => Pg::Disable,
            SslMode::Allow | SslMode::Prefer => Pg::Prefer,
            SslMode::Require | SslMode::VerifyCa | SslMode::VerifyFull => Pg::Require,
        }
    }
}

/// How the server certificate is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Check {
    Nothing,
    Chain,
    ChainAndName,
}

/// Builds the connector for `mode`; `rootcert` is the `sslrootcert` setting, if any.
pub fn connector(
    mode: SslMode,
    rootcert: Option<&str>,
    env: &Env,
) -> Result<MakeRustlsConnect, String> {
    let default_root = env.in_home(".postgresql/root.crt").filter(|p| p.is_file());
    // libpq: `require` verifies the chain when the root certificate file exists.
    let root_file_exists = match rootcert {
        Some("system") => false,
        Some(path) => Path::new(path).is_file(),
        None => default_root.is_some(),
    };
    let check = match mode {
        SslMode::Disable | SslMode::Allow | SslMode::Prefer => Check::Nothing,
        SslMode::Require if !root_file_exists => Check::Nothing,
        SslMode::Require | SslMode::VerifyCa => Check::Chain,
        SslMode::VerifyFull => Check::ChainAndName,
    };
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier: Arc<dyn ServerCertVerifier> = match check {
        Check::Nothing => Arc::new(AcceptAnyCertificate(provider.clone())),
        Check::Chain => Arc::new(ChainOnly {
            roots: roots(rootcert, default_root)?,
            provider: provider.clone(),
        }),
        Check::ChainAndName => rustls::client::WebPkiServerVerifier::builder_with_provider(
            roots(rootcert, default_root)?,
            provider.clone(),
        )
        .build()
        .map_err(|e| format!("cannot verify server certificates: {e}"))?,
    };
    let mut config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS setup failed: {e}"))?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    // PostgreSQL 17 requires this ALPN for direct TLS; older servers ignore it.
    config.alpn_protocols = vec![b"postgresql".to_vec()];
    Ok(MakeRustlsConnect::new(config))
}

fn roots(
    rootcert: Option<&str>,
    default_root: Option<PathBuf>,
) -> Result<Arc<RootCertStore>, String> {
    let path = match rootcert {
        Some("system") => None,
        Some(path) => Some(PathBuf::from(path)),
        None => default_root,
    };
    let Some(path) = path else {
        return Ok(Arc::new(RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        }));
    };
    let mut store = RootCertStore::empty();
    for cert in read_pem_certificates(&path)? {
        store.add(cert).map_err(|e| {
            format!(
                "bad certificate in root certificate file \"{}\": {e}",
                path.display()
            )
        })?;
    }
    Ok(Arc::new(store))
}

fn read_pem_certificates(path: &Path) -> Result<Vec<CertificateDer<'static>>, String> {
    let shown = path.display();
    let text = std::fs::read(path).map_err(|e| {
        format!(
            "could not read root certificate file \"{shown}\": {}",
            super::io_reason(&e)
        )
    })?;
    let certs = rustls_pemfile::certs(&mut text.as_slice())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("could not parse root certificate file \"{shown}\": {e}"))?;
    if certs.is_empty() {
        return Err(format!(
            "no certificates found in root certificate file \"{shown}\""
        ));
    }
    Ok(certs)
}

/// Says in words why a TLS handshake failed.
#[must_use]
pub fn describe(err: &rustls::Error) -> String {
    match err {
        rustls::Error::InvalidCertificate(cert) => {
            format!(
                "server certificate verification failed: {}",
                describe_certificate(cert)
            )
        }
        other => format!("TLS handshake failed: {other}"),
    }
}

fn describe_certificate(err: &CertificateError) -> String {
    match err {
        CertificateError::UnknownIssuer => {
            "the certificate is not signed by a trusted root (set sslrootcert)".to_owned()
        }
        CertificateError::NotValidForName => "it does not match the host name".to_owned(),
        CertificateError::NotValidForNameContext { expected, .. } => {
            format!(
                "it does not match the host name \"{}\"",
                server_name(expected)
            )
        }
        CertificateError::Expired | CertificateError::ExpiredContext { .. } => {
            "the certificate has expired".to_owned()
        }
        CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => {
            "the certificate is not valid yet".to_owned()
        }
        CertificateError::BadSignature => {
            "a signature in the certificate chain does not verify (is sslrootcert the right file?)"
                .to_owned()
        }
        other => format!("{other:?}"),
    }
}

fn server_name(name: &ServerName<'_>) -> String {
    match name {
        ServerName::DnsName(dns) => dns.as_ref().to_owned(),
        ServerName::IpAddress(ip) => std::net::IpAddr::from(*ip).to_string(),
        _ => format!("{name:?}"),
    }
}

// ─── Verifiers ──────────────────────────────────────────────────────────────────────────────

/// `require` without a root certificate: encrypt, but accept any certificate (as libpq does).
/// Handshake signatures are still checked, so the session is bound to the certificate shown.
#[derive(Debug)]
struct AcceptAnyCertificate(Arc<CryptoProvider>);

impl ServerCertVerifier for AcceptAnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// `verify-ca`: the chain must lead to a trusted root; the host name is not checked.
#[derive(Debug)]
struct ChainOnly {
    roots: Arc<RootCertStore>,
    provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for ChainOnly {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let cert = rustls::server::ParsedCertificate::try_from(end_entity)?;
        rustls::client::verify_server_cert_signed_by_trust_anchor(
            &cert,
            &self.roots,
            intermediates,
            now,
            self.provider.signature_verification_algorithms.all,
        )?;
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sslmode_values() {
        for text in [
            "disable",
            "allow",
            "prefer",
            "require",
            "verify-ca",
            "verify-full",
        ] {
            let mode: SslMode = text.parse().unwrap();
            assert_eq!(mode.to_string(), text);
        }
        assert_eq!(
            "required".parse::<SslMode>().unwrap_err(),
            "invalid sslmode value: \"required\""
        );
    }

    #[test]
    fn missing_root_certificate_file_is_one_clear_line() {
        let err = connector(
            SslMode::VerifyFull,
            Some("/nonexistent/root.crt"),
            &Env::empty(),
        )
        .err()
        .unwrap();
        assert!(
            err.starts_with("could not read root certificate file \"/nonexistent/root.crt\""),
            "{err}"
        );
        assert!(!err.contains('\n'));
    }

    #[test]
    fn modes_that_do_not_verify_need_no_roots() {
        for mode in [SslMode::Disable, SslMode::Prefer, SslMode::Require] {
            assert!(connector(mode, None, &Env::empty()).is_ok(), "{mode}");
        }
        assert!(connector(SslMode::VerifyFull, Some("system"), &Env::empty()).is_ok());
    }
}
