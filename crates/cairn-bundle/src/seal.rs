//! Sealing a bundle in the age format (C2SP age v1), so that the standard `age -d`
//! opens it: to a passphrase (scrypt) or to an age X25519 public key.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::str::FromStr;

use age::secrecy::SecretString;
use cairn_core::{Error, Passphrase, Result};

/// How a bundle is sealed.
pub enum Seal {
    /// To a passphrase she gives the recipient separately.
    Passphrase(Passphrase),
    /// To an age X25519 public key (`age1…`) the recipient gave her.
    Recipient(String),
    /// Not encrypted: the open ZIP (she chose this).
    Open,
}

/// What opens a sealed bundle.
pub enum Key {
    /// The passphrase it was sealed with.
    Passphrase(Passphrase),
    /// A file of age identities (`AGE-SECRET-KEY-1…`), as `age-keygen` writes.
    IdentityFile(PathBuf),
    /// Nothing: only an open bundle can be read.
    None,
}

/// scrypt work factor for tests (`CAIRN_TEST_INSECURE_KDF=1`): fast and weak.
pub const TEST_SCRYPT_LOG_N: u8 = 10;
/// The highest scrypt work factor accepted when opening (age's CLI caps near here).
const MAX_SCRYPT_LOG_N: u8 = 22;

/// Where the sealed or open bytes go.
pub(crate) enum SealWriter<W: Write> {
    Age(age::stream::StreamWriter<W>),
    Open(W),
}

impl<W: Write> Write for SealWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            SealWriter::Age(w) => w.write(buf),
            SealWriter::Open(w) => w.write(buf),
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        match self {
            SealWriter::Age(w) => w.flush(),
            SealWriter::Open(w) => w.flush(),
        }
    }
}

impl<W: Write> SealWriter<W> {
    /// Starts writing, sealed as `seal` says. `fast_kdf` is for tests only.
    pub fn start(seal: &Seal, out: W, fast_kdf: bool) -> Result<SealWriter<W>> {
        let enc = match seal {
            Seal::Open => return Ok(SealWriter::Open(out)),
            Seal::Passphrase(p) => {
                let mut r = age::scrypt::Recipient::new(SecretString::from(p.expose().to_string()));
                if fast_kdf {
                    r.set_work_factor(TEST_SCRYPT_LOG_N);
                }
                age::Encryptor::with_recipients(std::iter::once(&r as &dyn age::Recipient))
            }
            Seal::Recipient(s) => {
                let r = parse_recipient(s)?;
                age::Encryptor::with_recipients(std::iter::once(&r as &dyn age::Recipient))
            }
        }
        .map_err(|e| Error::Invalid(format!("The bundle could not be sealed ({e}).")))?;
        let w = enc.wrap_output(out).map_err(crate::bag::io_err)?;
        Ok(SealWriter::Age(w))
    }

    /// Ends the stream (age's last chunk) and gives back the file.
    pub fn finish(self) -> Result<W> {
        match self {
            SealWriter::Age(w) => w.finish().map_err(crate::bag::io_err),
            SealWriter::Open(w) => Ok(w),
        }
    }
}

/// Parses an age X25519 recipient (`age1…`).
pub fn parse_recipient(s: &str) -> Result<age::x25519::Recipient> {
    age::x25519::Recipient::from_str(s.trim()).map_err(|_| {
        Error::Invalid(format!(
            "\"{}\" is not an age public key; it starts with age1 and is given by `age-keygen`.",
            s.trim()
        ))
    })
}

/// Random access to a bundle's ZIP bytes.
pub trait ReadSeek: Read + Seek + Send {}
impl<T: Read + Seek + Send> ReadSeek for T {}

/// What kind of file this is, from its first bytes.
pub(crate) enum Kind {
    Age,
    Zip,
}

/// Whether the file at `path` is a sealed (age) bundle, so a shell knows to ask for
/// its passphrase; anything else (a ZIP, garbage) is for the verifier to judge.
pub fn is_sealed(path: &Path) -> bool {
    matches!(sniff(path), Ok(Kind::Age))
}

pub(crate) fn sniff(path: &Path) -> Result<Kind> {
    let mut f = File::open(path).map_err(|e| Error::io("read", path, e))?;
    let mut head = [0u8; 21];
    let n = read_up_to(&mut f, &mut head).map_err(|e| Error::io("read", path, e))?;
    kind_of(&head[..n])
}

/// What kind of bundle `head` (its first bytes, or all of it) begins.
pub(crate) fn kind_of(head: &[u8]) -> Result<Kind> {
    if head.starts_with(b"age-encryption.org/v1") {
        Ok(Kind::Age)
    } else if head.starts_with(b"PK\x03\x04") {
        Ok(Kind::Zip)
    } else if head.is_empty() {
        Err(Error::BundleUnreadable("the file is empty".into()))
    } else {
        Err(Error::BundleUnreadable(
            "it is neither a sealed (age) bundle nor a ZIP".into(),
        ))
    }
}

fn read_up_to(r: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        let k = r.read(&mut buf[n..])?;
        if k == 0 {
            break;
        }
        n += k;
    }
    Ok(n)
}

/// Opens a bundle for reading: decrypts on the fly (nothing is written anywhere).
/// Returns the ZIP bytes and whether it was sealed.
pub(crate) fn open(path: &Path, key: &Key) -> Result<(Box<dyn ReadSeek>, bool)> {
    let kind = sniff(path)?;
    let f = File::open(path).map_err(|e| Error::io("read", path, e))?;
    open_reader(BufReader::new(f), kind, key)
}

/// [`open`] over bytes already read or buffered (`kind` from [`kind_of`]).
pub(crate) fn open_reader<R: BufRead + Seek + Send + 'static>(
    r: R,
    kind: Kind,
    key: &Key,
) -> Result<(Box<dyn ReadSeek>, bool)> {
    match kind {
        Kind::Zip => Ok((Box::new(r), false)),
        Kind::Age => {
            let dec = age::Decryptor::new_buffered(r).map_err(age_err)?;
            let reader = match key {
                Key::None => return Err(Error::Invalid(
                    "This bundle is sealed; give its passphrase or the age key it was sealed to."
                        .into(),
                )),
                Key::Passphrase(p) => {
                    if !dec.is_scrypt() {
                        return Err(Error::WrongBundleKey);
                    }
                    let mut id =
                        age::scrypt::Identity::new(SecretString::from(p.expose().to_string()));
                    id.set_max_work_factor(MAX_SCRYPT_LOG_N);
                    dec.decrypt(std::iter::once(&id as &dyn age::Identity))
                        .map_err(age_err)?
                }
                Key::IdentityFile(file) => {
                    let ids = age::IdentityFile::from_file(file.display().to_string())
                        .map_err(|e| Error::io("read", file, e))?
                        .into_identities()
                        .map_err(|_| {
                            Error::Invalid(format!(
                                "{} does not hold an age secret key.",
                                file.display()
                            ))
                        })?;
                    dec.decrypt(ids.iter().map(|i| i.as_ref() as &dyn age::Identity))
                        .map_err(age_err)?
                }
            };
            let reader = WithinPlaintext::new(reader).map_err(|e| {
                // A cut or altered last chunk fails age's check of the length here.
                Error::BundleUnreadable(format!("it is damaged or cut short ({e})"))
            })?;
            Ok((Box::new(reader), true))
        }
    }
}

/// age's decrypting reader, kept to positions inside the plaintext. age 0.11.5's
/// `StreamReader` panics (a subtraction overflow, or a slice out of range) when a read
/// follows a seek past the end of a short last chunk — which a damaged or crafted ZIP
/// inside a correctly sealed bundle asks for by naming an offset past its end. Here a
/// seek to or past the end is only noted, and reads there give end of file, as they
/// do from a file; every seek passed on is absolute and inside the plaintext.
struct WithinPlaintext<R> {
    inner: R,
    pos: u64,
    len: u64,
}

impl<R: Read + Seek> WithinPlaintext<R> {
    fn new(mut inner: R) -> io::Result<Self> {
        // age authenticates the plaintext's length by decrypting the last chunk.
        let len = inner.seek(SeekFrom::End(0))?;
        inner.seek(SeekFrom::Start(0))?;
        Ok(WithinPlaintext { inner, pos: 0, len })
    }
}

impl<R: Read + Seek> Read for WithinPlaintext<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.pos >= self.len {
            return Ok(0);
        }
        let n = self.inner.read(buf)?;
        self.pos += n as u64;
        Ok(n)
    }
}

impl<R: Read + Seek> Seek for WithinPlaintext<R> {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        let target = match to {
            SeekFrom::Start(n) => Some(n),
            SeekFrom::Current(d) => self.pos.checked_add_signed(d),
            SeekFrom::End(d) => self.len.checked_add_signed(d),
        }
        .ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                "a seek before the start of the bundle's contents",
            )
        })?;
        if target < self.len {
            self.inner.seek(SeekFrom::Start(target))?;
        }
        self.pos = target;
        Ok(target)
    }
}

fn age_err(e: age::DecryptError) -> Error {
    use age::DecryptError as D;
    match e {
        D::NoMatchingKeys | D::DecryptionFailed | D::KeyDecryptionFailed => Error::WrongBundleKey,
        D::ExcessiveWork { .. } => Error::BundleUnreadable(
            "its passphrase protection asks for more work than is safe to try".into(),
        ),
        D::InvalidHeader | D::UnknownFormat => {
            Error::BundleUnreadable("its sealed header is damaged".into())
        }
        D::InvalidMac => Error::BundleUnreadable("its sealed header has been altered".into()),
        D::Io(e) => Error::BundleUnreadable(format!("it could not be read ({e})")),
    }
}
