//! Key loading refuses what is no usable Ed25519 key; a verifier with several keys accepts any of them.

use super::{REVIEW_UPDATED, Signer, headers};
use partoo_api::webhooks::{KeyError, PublicKey, Verifier, WebhookError};

/// `y = 2` has no `x` on the curve: 32 bytes that decode to no point.
const NOT_A_POINT: [u8; 32] = {
    let mut b = [0; 32];
    b[0] = 2;
    b
};

/// The identity point `(0, 1)`, of order 1.
const IDENTITY: [u8; 32] = {
    let mut b = [0; 32];
    b[0] = 1;
    b
};

/// `(0, -1)`, of order 2: `y = p - 1` little-endian.
const ORDER_TWO: [u8; 32] = {
    let mut b = [0xff; 32];
    b[0] = 0xec;
    b[31] = 0x7f;
    b
};

#[test]
fn from_bytes_refuses_32_bytes_that_are_no_curve_point() {
    assert_eq!(
        PublicKey::from_bytes(&NOT_A_POINT),
        Err(KeyError::NotOnCurve)
    );
    let message = KeyError::NotOnCurve.to_string();
    assert!(message.contains("not an Ed25519 curve point"), "{message}");
    // The same bytes inside a SubjectPublicKeyInfo are refused too.
    let mut der = vec![
        0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
    ];
    der.extend_from_slice(&NOT_A_POINT);
    assert_eq!(PublicKey::from_spki_der(&der), Err(KeyError::NotOnCurve));
}

#[test]
fn from_bytes_refuses_small_order_points() {
    for weak in [IDENTITY, ORDER_TWO] {
        assert_eq!(
            PublicKey::from_bytes(&weak),
            Err(KeyError::SmallOrder),
            "{weak:02x?}"
        );
    }
}

#[test]
fn from_bytes_takes_every_real_key() {
    for seed in 0..64u8 {
        let signer = Signer::from_seed([seed; 32]);
        assert_eq!(
            PublicKey::from_bytes(signer.pair_public()).map(|k| *k.as_bytes()),
            Ok(<[u8; 32]>::try_from(signer.pair_public()).expect("32 bytes"))
        );
    }
}

#[test]
fn a_verifier_with_several_keys_accepts_a_signature_by_any_of_them() {
    let (old, new, stranger) = (Signer::new(), Signer::new(), Signer::new());
    let verifier = Verifier::new(old.public()).with_key(new.public());
    assert_eq!(verifier.keys(), [old.public(), new.public()]);
    for signer in [&old, &new] {
        let delivery = verifier
            .verify_request(&headers(&signer.sign(REVIEW_UPDATED)), REVIEW_UPDATED)
            .expect("signed by one of the keys");
        assert_eq!(
            delivery.key,
            signer.public(),
            "the delivery names the key used"
        );
    }
    let err = verifier
        .verify(
            Some(stranger.sign(REVIEW_UPDATED).as_bytes()),
            REVIEW_UPDATED,
        )
        .unwrap_err();
    assert_eq!(err, WebhookError::SignatureMismatch);
    // A list, duplicates dropped; an empty list is refused with its own error.
    let listed = Verifier::from_keys([new.public(), old.public(), new.public()]).expect("two keys");
    assert_eq!(listed.keys(), [new.public(), old.public()]);
    assert_eq!(verifier.clone().with_key(old.public()), verifier);
    assert_eq!(Verifier::from_keys([]), Err(KeyError::NoKeys));
}
