//! The dedicated cluster for password and TLS tests: scram-sha-256 for every role but the
//! superuser, `ssl = on` with a self-signed certificate for `localhost`, and role `bob`.

use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

use pgmedic::cluster::{Cluster, ClusterOptions};

/// bob's password: characters that need escaping in a URL, a conninfo and a pgpass file.
pub(crate) const BOB_PASSWORD: &str = r"s3cr:t@p/w d'q\z";
/// What bob's password looks like in a URL.
pub(crate) const BOB_PASSWORD_URL: &str = "s3cr%3At%40p%2Fw%20d'q%5Cz";

const HBA: &str = "\
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
}

impl Secure {
    pub(crate) fn port(&self) -> u16 {
        self.cluster.port()
    }

    pub(crate) fn socket_dir(&self) -> String {
        self.cluster.socket_dir().display().to_string()
    }
}

/// The secure cluster of this test binary, started on first use.
pub(crate) fn secure() -> &'static Secure {
    static SECURE: OnceLock<Secure> = OnceLock::new();
    SECURE.get_or_init(start)
}

fn start() -> Secure {
    let (cert, key) = self_signed("localhost");
    let (other, _) = self_signed("other.invalid");
    let cluster = Cluster::start(ClusterOptions {
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
    create_bob(&cluster);
    Secure {
        cluster,
        root_cert,
        other_cert,
    }
}

fn create_bob(cluster: &Cluster) {
    let conninfo = cluster.conninfo("postgres");
    let sql = format!(
        "CREATE ROLE bob LOGIN PASSWORD '{}'",
        BOB_PASSWORD.replace('\'', "''")
    );
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
            client.batch_execute(&sql).await.unwrap();
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

fn tempdir() -> PathBuf {
    static SEQ: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = SEQ.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("pgmedic-certs-{}-{n}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
