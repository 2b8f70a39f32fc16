//! TLS on the listening port. Each connection is sniffed: a TLS ClientHello (first byte 0x16) is answered
//! with TLS, anything else is plain HTTP, so `http://` and `https://` clients share one port. Without
//! `--tls-cert`/`--tls-key` a self-signed certificate for localhost is made at start; clients either skip
//! verification (as they usually do against a lab vCenter) or trust the CA certificate that
//! `GET /_mockcloud/tls/cert` serves.

use std::path::Path;
use std::sync::Arc;

use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::rustls::{self, ServerConfig};
use tokio_rustls::TlsAcceptor;

pub struct Tls {
    pub acceptor: TlsAcceptor,
    /// What clients pin, in PEM: the generated CA, or the `--tls-cert` file as given.
    pub cert_pem: String,
}

/// The first byte of a TLS handshake record.
pub const HANDSHAKE: u8 = 0x16;

pub fn load(cert: Option<&Path>, key: Option<&Path>, listen_host: &str) -> Result<Tls, String> {
    let (cert_pem, certs, key) = match (cert, key) {
        (Some(c), Some(k)) => {
            let cert_pem = std::fs::read_to_string(c).map_err(|e| format!("--tls-cert {}: {e}", c.display()))?;
            let key_pem = std::fs::read_to_string(k).map_err(|e| format!("--tls-key {}: {e}", k.display()))?;
            let certs = rustls_pemfile::certs(&mut cert_pem.as_bytes())
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| format!("--tls-cert {}: {e}", c.display()))?;
            if certs.is_empty() {
                return Err(format!("--tls-cert {}: no PEM certificate in the file", c.display()));
            }
            let key = rustls_pemfile::private_key(&mut key_pem.as_bytes())
                .map_err(|e| format!("--tls-key {}: {e}", k.display()))?
                .ok_or_else(|| format!("--tls-key {}: no PEM private key in the file", k.display()))?;
            (cert_pem, certs, key)
        }
        (None, None) => self_signed(listen_host)?,
        _ => return Err("--tls-cert and --tls-key go together".into()),
    };
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| format!("TLS certificate: {e}"))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Tls { acceptor: TlsAcceptor::from(Arc::new(config)), cert_pem })
}

type Material = (String, Vec<CertificateDer<'static>>, PrivateKeyDer<'static>);

/// A throwaway CA (what clients pin) and a localhost certificate it signs (what the port presents), like a
/// lab vCenter's VMCA. OpenSSL-based clients refuse a bare self-signed leaf as a trust anchor.
fn self_signed(listen_host: &str) -> Result<Material, String> {
    use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair, KeyUsagePurpose};
    let err = |e: rcgen::Error| format!("self-signed certificate: {e}");
    let mut names = vec!["localhost".to_string(), "127.0.0.1".to_string(), "::1".to_string()];
    if !listen_host.is_empty() && !names.iter().any(|n| n == listen_host) && listen_host != "0.0.0.0" {
        names.push(listen_host.to_string());
    }
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).map_err(err)?;
    ca_params.distinguished_name.push(DnType::CommonName, "mockcloud local CA");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let ca_key = KeyPair::generate().map_err(err)?;
    let ca = ca_params.self_signed(&ca_key).map_err(err)?;

    let mut leaf_params = CertificateParams::new(names).map_err(err)?;
    leaf_params.distinguished_name.push(DnType::CommonName, "localhost");
    let leaf_key = KeyPair::generate().map_err(err)?;
    let leaf = leaf_params.signed_by(&leaf_key, &ca, &ca_key).map_err(err)?;

    let key = PrivateKeyDer::try_from(leaf_key.serialize_der()).map_err(|e| e.to_string())?;
    Ok((ca.pem(), vec![leaf.der().clone(), ca.der().clone()], key))
}
