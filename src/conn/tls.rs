//! TLS as libpq's sslmode defines it, with rustls (no system OpenSSL).
//!
//! `disable`: never. `allow` / `prefer`: encrypt when the server offers it, without verifying.
//! `require`: encrypt or fail, without verifying — unless a root certificate is configured,
//! in which case libpq behaves as `verify-ca` and so does this. `verify-ca`: the chain must
//! lead to a trusted root, the host name is not checked. `verify-full`: chain and host name.
//! Roots come from `sslrootcert` (PEM, or `system` for the bundled web roots), else
//! `~/.postgresql/root.crt` when it exists, else the bundled web roots. A client certificate
//! (`sslcert`/`sslkey`, else `~/.postgresql/postgresql.crt`/`.key`) is offered when the server
//! asks for one, unless `sslcertmode=disable`.

use std::path::Path;
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore};
use tokio_postgres_rustls::MakeRustlsConnect;

use super::env::Env;
use super::pem;

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

/// The TLS-related options of a connection.
#[derive(Debug, Clone, Copy)]
pub struct TlsOptions<'a> {
    pub mode: SslMode,
    pub rootcert: Option<&'a str>,
    pub cert: Option<&'a str>,
    pub key: Option<&'a str>,
    /// `sslcertmode=disable`: never send a client certificate.
    pub send_cert: bool,
}

/// Builds the connector for these options, reading the certificate files they name.
pub fn connector(opts: TlsOptions<'_>, env: &Env) -> Result<MakeRustlsConnect, String> {
    let root_file = pem::root_file(opts.rootcert, env);
    // libpq: `require` verifies the chain when the root certificate file exists.
    let check = match opts.mode {
        SslMode::Disable | SslMode::Allow | SslMode::Prefer => Check::Nothing,
        SslMode::Require if !root_file.as_ref().is_some_and(|p| p.is_file()) => Check::Nothing,
        SslMode::Require | SslMode::VerifyCa => Check::Chain,
        SslMode::VerifyFull => Check::ChainAndName,
    };
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier: Arc<dyn ServerCertVerifier> = match check {
        Check::Nothing => Arc::new(AcceptAnyCertificate(provider.clone())),
        Check::Chain => Arc::new(ChainOnly {
            roots: roots(root_file.as_deref())?,
            provider: provider.clone(),
        }),
        Check::ChainAndName => rustls::client::WebPkiServerVerifier::builder_with_provider(
            roots(root_file.as_deref())?,
            provider.clone(),
        )
        .build()
        .map_err(|e| format!("cannot verify server certificates: {e}"))?,
    };
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS setup failed: {e}"))?
        .dangerous()
        .with_custom_certificate_verifier(verifier);
    let identity = match opts.mode {
        SslMode::Disable => None,
        _ if !opts.send_cert => None,
        _ => pem::identity(opts.cert, opts.key, env)?,
    };
    let mut config = match identity {
        // Not `with_client_auth_cert`: it insists on parsing the certificate as X.509 v3,
        // while libpq sends whatever the file holds and lets the server judge it.
        Some((chain, key)) => {
            let key = provider
                .key_provider
                .load_private_key(key)
                .map_err(|e| format!("the client private key cannot be used: {e}"))?;
            let certified = rustls::sign::CertifiedKey::new(chain, key);
            builder.with_client_cert_resolver(Arc::new(rustls::sign::SingleCertAndKey::from(
                certified,
            )))
        }
        None => builder.with_no_client_auth(),
    };
    // PostgreSQL 17 requires this ALPN for direct TLS; older servers ignore it.
    config.alpn_protocols = vec![b"postgresql".to_vec()];
    Ok(MakeRustlsConnect::new(config))
}

/// The roots from a PEM file, or the bundled web roots without one.
fn roots(file: Option<&Path>) -> Result<Arc<RootCertStore>, String> {
    let Some(path) = file else {
        return Ok(Arc::new(RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        }));
    };
    let mut store = RootCertStore::empty();
    for cert in pem::certificates(path, "root certificate")? {
        store.add(cert).map_err(|e| {
            format!(
                "bad certificate in root certificate file \"{}\": {e}",
                path.display()
            )
        })?;
    }
    Ok(Arc::new(store))
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

    fn options(mode: SslMode) -> TlsOptions<'static> {
        TlsOptions {
            mode,
            rootcert: None,
            cert: None,
            key: None,
            send_cert: true,
        }
    }

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
        let opts = TlsOptions {
            rootcert: Some("/nonexistent/root.crt"),
            ..options(SslMode::VerifyFull)
        };
        let err = connector(opts, &Env::empty()).err().unwrap();
        assert!(
            err.starts_with("could not read root certificate file \"/nonexistent/root.crt\""),
            "{err}"
        );
        assert!(!err.contains('\n'));
    }

    #[test]
    fn modes_that_do_not_verify_need_no_roots() {
        for mode in [SslMode::Disable, SslMode::Prefer, SslMode::Require] {
            assert!(connector(options(mode), &Env::empty()).is_ok(), "{mode}");
        }
        let system = TlsOptions {
            rootcert: Some("system"),
            ..options(SslMode::VerifyFull)
        };
        assert!(connector(system, &Env::empty()).is_ok());
    }
}
