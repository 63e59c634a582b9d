//! Blind indexes: keyed, truncated HMAC-SHA256 digests of normalised values, so that exact-match
//! search works without the database ever holding the value.
//!
//! Keys are separate from the encryption keys (their own root in the key ring) and derived per
//! field and kind with HKDF, so the same value in two fields gives unrelated digests.
//!
//! Truncation follows CipherSweet's coincidence rule: with R indexed values and L bits, a lookup
//! returns about C = R / 2^L false candidates, and we want 2 ≤ C ≤ √R so that a digest alone never
//! proves equality. Every lookup therefore decrypts its candidates and compares the plaintext
//! before reporting anything. The lengths are:
//!
//! | field | bits | C at 10^5 values | C at 10^6 values |
//! |---|---|---|---|
//! | identifiers (phone, email, handle, IMEI, vehicle, national ids) | 16 | 1.5 | 15 |
//! | full name + date of birth (compound) | 16 | 1.5 | 15 |
//! | full name | 14 | 6 | 61 |
//! | surname + birth year (phonetic) | 14 | 6 | 61 |
//! | surname + forename (phonetic, or canonical forename + surname) | 14 | 6 | 61 |
//! | canonical forename + date of birth | 16 | 1.5 | 15 |
//! | date of birth alone | 16 | 1.5 | 15 |
//! | forename or surname code + day and month of birth | 16 | 1.5 | 15 |
//! | postcode | 16 | 1.5 | 15 |
//! | forename initial + surname code | 14 | 6 | 61 |
//! | identifier variants (one character left out) | 16 | 1.5 | 15 |
//!
//! Several of these keys are also held by many people in truth (a date of birth is shared by
//! about 50 people in a million). Blocking therefore never trusts a digest: every hit is opened
//! through its sealed match profile (`crate::linkage::match_profile`), which holds the person's
//! keys in full, and only true key agreements go on to be scored.
//!
//! The linkage blocking keys (`crate::linkage::keys`) are deliberately coarse: many people share
//! a Double Metaphone surname code and a birth year, so true coincidences already return
//! several candidates, and 14 bits keeps the false ones at the level of a full-name lookup.
//! Several kinds of key exist per field (exact, phonetic, canonical), each with its own derived
//! key, so the index table holds `(field, kind, digest)`.

use hkdf::Hkdf;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use zeroize::Zeroizing;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BlindField {
    FullName,
    NameBirthDate,
    /// Blocking: surname code with a year of birth.
    SurnameBirthYear,
    /// Blocking: surname with forename (phonetic codes, or nickname-resolved forename).
    NamePair,
    /// Blocking: nickname-resolved forename with a date of birth (misspelt surnames).
    ForenameBirthDate,
    /// Blocking: the date of birth alone (every name damaged).
    BirthDate,
    /// Blocking: forename (canonical) or surname (phonetic) with day and month of birth
    /// (a wrong year together with a misspelt name), and forename with year and month of
    /// birth (another surname together with a wrong day).
    BirthDay,
    /// Blocking: a canonical postcode of any address.
    Postcode,
    /// Blocking: forename initial with the surname's phonetic code.
    InitialSurname,
    /// Blocking: an identifier with one character left out, and whole (typos, transpositions,
    /// a digit missing or added).
    IdentifierVariant,
    Phone,
    Email,
    OnlineHandle,
    Imei,
    VehicleRegistration,
    PncId,
    NiNumber,
    Passport,
    /// Another country's national identifier, keyed `COUNTRY:value`.
    NationalId,
}

impl BlindField {
    /// The field an identifier of this kind is indexed under.
    pub const fn for_identifier(kind: domain::vocab::IdentifierKind) -> Self {
        use domain::vocab::IdentifierKind as K;
        match kind {
            K::Phone => Self::Phone,
            K::Email => Self::Email,
            K::OnlineHandle => Self::OnlineHandle,
            K::Imei => Self::Imei,
            K::VehicleRegistration => Self::VehicleRegistration,
            K::PncId => Self::PncId,
            K::NiNumber => Self::NiNumber,
            K::Passport => Self::Passport,
            K::NationalId => Self::NationalId,
        }
    }

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::FullName => "full_name",
            Self::NameBirthDate => "name_birth_date",
            Self::SurnameBirthYear => "surname_birth_year",
            Self::NamePair => "name_pair",
            Self::ForenameBirthDate => "forename_birth_date",
            Self::BirthDate => "birth_date",
            Self::BirthDay => "birth_day",
            Self::Postcode => "postcode",
            Self::InitialSurname => "initial_surname",
            Self::IdentifierVariant => "identifier_variant",
            Self::Phone => "phone",
            Self::Email => "email",
            Self::OnlineHandle => "online_handle",
            Self::Imei => "imei",
            Self::VehicleRegistration => "vehicle_registration",
            Self::PncId => "pnc_id",
            Self::NiNumber => "ni_number",
            Self::Passport => "passport",
            Self::NationalId => "national_id",
        }
    }

    /// Digest length in bits; see the table in the module documentation.
    pub const fn bits(self) -> u32 {
        match self {
            Self::FullName | Self::SurnameBirthYear | Self::NamePair | Self::InitialSurname => 14,
            _ => 16,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BlindKind {
    Exact,
    /// Double Metaphone codes of name parts.
    Phonetic,
    /// Folded names with the forename resolved through the nickname table.
    Canonical,
}

impl BlindKind {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Exact => "exact",
            Self::Phonetic => "phonetic",
            Self::Canonical => "canonical",
        }
    }
}

pub(super) fn field_key(root: &[u8; 32], field: BlindField, kind: BlindKind) -> Zeroizing<[u8; 32]> {
    let hk = Hkdf::<Sha256>::new(Some(b"vigil/blind/v1"), root);
    let mut okm = Zeroizing::new([0u8; 32]);
    let info = [field.as_str().as_bytes(), b"\0", kind.as_str().as_bytes()].concat();
    // 32 bytes is far below HKDF-SHA256's output limit, so expand cannot fail.
    let _ = hk.expand(&info, okm.as_mut());
    okm
}

/// The truncated digest as a non-negative integer (the top `bits` bits of the HMAC).
pub(super) fn digest(key: &[u8; 32], field: BlindField, normalised: &str) -> i64 {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).unwrap_or_else(|_| Hmac::<Sha256>::new(&Default::default()));
    mac.update(normalised.as_bytes());
    let out = mac.finalize().into_bytes();
    let head = u64::from_be_bytes([out[0], out[1], out[2], out[3], out[4], out[5], out[6], out[7]]);
    (head >> (64 - field.bits())) as i64
}
