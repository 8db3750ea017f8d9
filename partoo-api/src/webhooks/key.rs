//! Partoo's Ed25519 public keys, built in, and keys supplied by the caller.

use std::fmt;

use crate::Environment;

/// Partoo's production signing key, as published (SubjectPublicKeyInfo, PEM).
pub const PRODUCTION_PUBLIC_KEY_PEM: &str = "-----BEGIN PUBLIC KEY-----
MCowBQYDK2VwAyEA0G9ciHL6XZQXuWq6W4dFLvwNEPWgcdtQgEVlBIwZWBQ=
-----END PUBLIC KEY-----
";

/// Partoo's sandbox signing key, as published (SubjectPublicKeyInfo, PEM).
pub const SANDBOX_PUBLIC_KEY_PEM: &str = "-----BEGIN PUBLIC KEY-----
MCowBQYDK2VwAyEALsyvX2yVnG3ZKRIFfEvYk2nkzanoNgAqBSqdeNub4sM=
-----END PUBLIC KEY-----
";

/// The raw 32-byte key inside [`PRODUCTION_PUBLIC_KEY_PEM`] (a test checks that they agree).
const PRODUCTION_RAW: [u8; 32] = [
    0xd0, 0x6f, 0x5c, 0x88, 0x72, 0xfa, 0x5d, 0x94, 0x17, 0xb9, 0x6a, 0xba, 0x5b, 0x87, 0x45, 0x2e,
    0xfc, 0x0d, 0x10, 0xf5, 0xa0, 0x71, 0xdb, 0x50, 0x80, 0x45, 0x65, 0x04, 0x8c, 0x19, 0x58, 0x14,
];

/// The raw 32-byte key inside [`SANDBOX_PUBLIC_KEY_PEM`].
const SANDBOX_RAW: [u8; 32] = [
    0x2e, 0xcc, 0xaf, 0x5f, 0x6c, 0x95, 0x9c, 0x6d, 0xd9, 0x29, 0x12, 0x05, 0x7c, 0x4b, 0xd8, 0x93,
    0x69, 0xe4, 0xcd, 0xa9, 0xe8, 0x36, 0x00, 0x2a, 0x05, 0x2a, 0x9d, 0x78, 0xdb, 0x9b, 0xe2, 0xc3,
];

/// DER header of an Ed25519 SubjectPublicKeyInfo (RFC 8410): SEQUENCE { SEQUENCE { OID 1.3.101.112 },
/// BIT STRING of 33 bytes }; the 32 key bytes follow it.
const ED25519_SPKI_PREFIX: [u8; 12] = [
    0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
];

/// An Ed25519 public key that webhook signatures are checked against.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct PublicKey([u8; 32]);

impl PublicKey {
    /// Partoo's production key.
    pub const fn production() -> Self {
        Self(PRODUCTION_RAW)
    }

    /// Partoo's sandbox key.
    pub const fn sandbox() -> Self {
        Self(SANDBOX_RAW)
    }

    /// The key Partoo signs with in `environment`.
    pub const fn for_environment(environment: Environment) -> Self {
        match environment {
            Environment::Production => Self::production(),
            Environment::Sandbox => Self::sandbox(),
        }
    }

    /// A raw Ed25519 public key: exactly 32 bytes that encode a point of the curve which is not of small
    /// order.
    ///
    /// Both checks happen here, when the key is loaded: ring only decodes a key when it verifies, so a bad
    /// key would otherwise show up as every signature failing. A small-order point (e.g. the identity) is a
    /// valid encoding, but signatures under it can be made without any private key, so it is refused too.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, KeyError> {
        let raw = <[u8; 32]>::try_from(bytes).map_err(|_| KeyError::Length(bytes.len()))?;
        let point = curve25519_dalek::edwards::CompressedEdwardsY(raw)
            .decompress()
            .ok_or(KeyError::NotOnCurve)?;
        if point.is_small_order() {
            return Err(KeyError::SmallOrder);
        }
        Ok(Self(raw))
    }

    /// A `-----BEGIN PUBLIC KEY-----` PEM block holding an Ed25519 SubjectPublicKeyInfo (what Partoo
    /// publishes, and what `openssl pkey -pubout` writes). Text with several blocks (two keys of a rotation
    /// in one file) is refused: load each block on its own, rather than have all but the first ignored.
    pub fn from_pem(pem: &str) -> Result<Self, KeyError> {
        let blocks = pem::parse_many(pem).map_or(0, |blocks| blocks.len());
        if blocks > 1 {
            return Err(KeyError::SeveralBlocks(blocks));
        }
        let block = pem::parse(pem).map_err(|e| KeyError::Pem(e.to_string()))?;
        if block.tag() != "PUBLIC KEY" {
            return Err(KeyError::Label(block.tag().to_owned()));
        }
        Self::from_spki_der(block.contents())
    }

    /// A DER-encoded Ed25519 SubjectPublicKeyInfo (44 bytes).
    pub fn from_spki_der(der: &[u8]) -> Result<Self, KeyError> {
        match der.strip_prefix(&ED25519_SPKI_PREFIX[..]) {
            Some(raw) if raw.len() == 32 => Self::from_bytes(raw),
            _ => Err(KeyError::NotEd25519),
        }
    }

    /// The raw 32 bytes.
    pub const fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = if *self == Self::production() {
            "production"
        } else if *self == Self::sandbox() {
            "sandbox"
        } else {
            "custom"
        };
        write!(f, "PublicKey({name}, ")?;
        for b in self.0 {
            write!(f, "{b:02x}")?;
        }
        f.write_str(")")
    }
}

/// Why a public key was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeyError {
    /// Not a PEM block (the message says what the PEM reader found).
    Pem(String),
    /// A PEM block with another label than `PUBLIC KEY`.
    Label(String),
    /// Text with this many PEM blocks where one key is expected.
    SeveralBlocks(usize),
    /// A SubjectPublicKeyInfo that is not an Ed25519 key.
    NotEd25519,
    /// A raw key that is not 32 bytes long (the length found).
    Length(usize),
    /// 32 bytes that are not the encoding of an Ed25519 curve point.
    NotOnCurve,
    /// A curve point of small order: a weak key, under which signatures can be forged.
    SmallOrder,
    /// A [`super::Verifier`] was asked for with no key at all.
    NoKeys,
}

impl fmt::Display for KeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Pem(e) => write!(f, "public key is not PEM: {e}"),
            Self::Label(l) => write!(f, "PEM block is `{l}`, expected `PUBLIC KEY`"),
            Self::SeveralBlocks(n) => write!(
                f,
                "{n} PEM blocks where one key is expected: load each key on its own (a verifier takes several)"
            ),
            Self::NotEd25519 => f.write_str("public key is not an Ed25519 SubjectPublicKeyInfo"),
            Self::Length(n) => write!(f, "raw Ed25519 public key must be 32 bytes, got {n}"),
            Self::NotOnCurve => f.write_str("public key is 32 bytes but not an Ed25519 curve point"),
            Self::SmallOrder => f.write_str(
                "public key is a small-order Ed25519 point (a weak key signatures can be forged for)",
            ),
            Self::NoKeys => f.write_str("a webhook verifier needs at least one public key"),
        }
    }
}

impl std::error::Error for KeyError {}
