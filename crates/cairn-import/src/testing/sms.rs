//! Writes messages the way SMS Backup & Restore does, so tests, fuzz targets and
//! benchmarks can make backups and check they read back through [`crate::sms`].
//! Not for use outside tests: it trusts its input (a text whose line is the word
//! `null`, a contact name with `, ` in a group, or two participants with one number
//! write a backup that reads back differently).

use std::fmt::Write as _;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use time::OffsetDateTime;

/// A participant other than her.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenContact {
    /// The phone number, as the phone stores it.
    pub number: String,
    /// The contact's name, or `None` for a number not in her contacts (written
    /// `(Unknown)`).
    pub name: Option<String>,
}

/// An MMS part that is a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenAttachment {
    /// Its file name (`name` and `cl`).
    pub name: String,
    /// Its media type (`ct`).
    pub media_type: String,
    /// Its bytes; `None` writes the part without `data`, as the app does when it is
    /// set not to back up MMS media.
    pub data: Option<Vec<u8>>,
}

/// The MMS-only part of a message.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GenMms {
    /// `sub`; `None` writes `null`.
    pub subject: Option<String>,
    /// File parts, written before the text.
    pub attachments: Vec<GenAttachment>,
    /// Write each line of the text as its own `text/plain` part (the parser joins
    /// parts with `\n`), rather than one part.
    pub text_part_per_line: bool,
}

/// A message to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenMessage {
    /// `date`, written in whole milliseconds (anything finer is dropped).
    pub sent_at: OffsetDateTime,
    /// `type` (SMS) or `msg_box` (MMS): 1 received, 2–6 hers.
    pub box_type: u8,
    /// The other participants, at least one; an SMS uses the first only.
    pub others: Vec<GenContact>,
    /// For a received MMS, the index in `others` of who sent it.
    pub from: usize,
    /// The text (`body`, or the `text/plain` parts); may be empty.
    pub text: String,
    /// `Some` writes an `<mms>`, `None` an `<sms>`.
    pub mms: Option<GenMms>,
}

/// How `data` is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Base64Style {
    /// One line, as the app writes it.
    OneLine,
    /// A literal line break every 76 characters (Android's default encoder).
    Wrapped,
    /// `&#10;` every 76 characters: an escape in the value, so the parser decodes it
    /// itself.
    EscapedBreaks,
}

/// How a backup looks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Style {
    /// `\r\n` between elements.
    pub crlf: bool,
    /// A leading byte-order mark.
    pub bom: bool,
    /// Characters beyond U+FFFF as two references to UTF-16 surrogates
    /// (`&#55357;&#56898;`), as the app's "back up emoji" setting writes them;
    /// otherwise as UTF-8.
    pub emoji_as_surrogates: bool,
    /// How attachments' base64 is written.
    pub base64: Base64Style,
    /// Her own number, in received MMS's `to` addresses.
    pub own_number: String,
}

impl Default for Style {
    fn default() -> Style {
        Style {
            crlf: false,
            bom: false,
            emoji_as_surrogates: false,
            base64: Base64Style::OneLine,
            own_number: "+447700900000".to_owned(),
        }
    }
}

/// What Android stores as the sender of an MMS she sent.
const SELF_TOKEN: &str = "insert-address-token";

/// `s` escaped for a double-quoted attribute, the way the app escapes it.
pub fn escape(s: &str, style: &Style) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if u32::from(c) < 0x20 => {
                let _ = write!(out, "&#{};", u32::from(c));
            }
            c if style.emoji_as_surrogates && u32::from(c) > 0xFFFF => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    let _ = write!(out, "&#{unit};");
                }
            }
            c => out.push(c),
        }
    }
    out
}

/// `sent_at` in whole milliseconds since the Unix epoch, as the backup writes it.
pub fn millis(sent_at: OffsetDateTime) -> i64 {
    i64::try_from(sent_at.unix_timestamp_nanos().div_euclid(1_000_000)).unwrap_or(0)
}

/// `sent_at` as the backup records it: truncated to the millisecond.
pub fn as_written(sent_at: OffsetDateTime) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(millis(sent_at)) * 1_000_000)
        .unwrap_or(sent_at)
}

/// `contact_name` for these participants: the one name, or for a group each
/// participant's name (or number) joined with `, `; `(Unknown)` when no name is known.
pub fn contact_name(others: &[GenContact]) -> String {
    if others.iter().all(|c| c.name.is_none()) {
        return "(Unknown)".to_owned();
    }
    others
        .iter()
        .map(|c| c.name.as_deref().unwrap_or(&c.number))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Renders `messages` as a backup in `style`.
pub fn write(messages: &[GenMessage], style: &Style) -> String {
    write_with_lines(messages, style).0
}

/// Renders `messages` as a backup in `style`, with the 1-based line of each
/// message's start tag.
pub fn write_with_lines(messages: &[GenMessage], style: &Style) -> (String, Vec<u64>) {
    let nl = if style.crlf { "\r\n" } else { "\n" };
    let mut out = String::new();
    if style.bom {
        out.push('\u{FEFF}');
    }
    let _ = write!(
        out,
        "<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>{nl}\
         <!--File Created By SMS Backup & Restore v10.20.002 on 05/01/2024 12:00:00-->{nl}\
         <?xml-stylesheet type=\"text/xsl\" href=\"sms.xsl\"?>{nl}\
         <smses count=\"{}\" backup_set=\"0b7a9f3e-5c1d-4f7e-9d2a-1f2e3d4c5b6a\" \
         backup_date=\"1704456000000\" type=\"full\">{nl}",
        messages.len()
    );
    let mut starts = Vec::with_capacity(messages.len());
    for (i, m) in messages.iter().enumerate() {
        starts.push(out.len());
        match &m.mms {
            None => write_sms(&mut out, m, style, nl),
            Some(mms) => write_mms(&mut out, m, mms, i, style, nl),
        }
    }
    out.push_str("</smses>");
    out.push_str(nl);
    let mut lines = Vec::with_capacity(starts.len());
    let (mut line, mut pos) = (1u64, 0usize);
    for start in starts {
        line += out
            .as_bytes()
            .get(pos..start)
            .unwrap_or_default()
            .iter()
            .filter(|&&b| b == b'\n')
            .count() as u64;
        pos = start;
        lines.push(line);
    }
    (out, lines)
}

fn readable(at: OffsetDateTime) -> String {
    format!(
        "{} {} {} {:02}:{:02}:{:02}",
        at.day(),
        at.month(),
        at.year(),
        at.hour(),
        at.minute(),
        at.second()
    )
}

fn write_sms(out: &mut String, m: &GenMessage, style: &Style, nl: &str) {
    let e = |s: &str| escape(s, style);
    let other = m.others.first().cloned().unwrap_or(GenContact {
        number: "+447700900001".to_owned(),
        name: None,
    });
    let name = other.name.clone().unwrap_or_else(|| "(Unknown)".to_owned());
    let service_center = if m.box_type == 1 {
        "+447785016005"
    } else {
        "null"
    };
    let _ = write!(
        out,
        "  <sms protocol=\"0\" address=\"{}\" date=\"{}\" type=\"{}\" subject=\"null\" \
         body=\"{}\" toa=\"null\" sc_toa=\"null\" service_center=\"{service_center}\" \
         read=\"1\" status=\"-1\" locked=\"0\" date_sent=\"0\" sub_id=\"1\" \
         readable_date=\"{}\" contact_name=\"{}\" />{nl}",
        e(&other.number),
        millis(m.sent_at),
        m.box_type,
        e(&m.text),
        readable(m.sent_at),
        e(&name),
    );
}

fn write_mms(
    out: &mut String,
    m: &GenMessage,
    mms: &GenMms,
    index: usize,
    style: &Style,
    nl: &str,
) {
    let e = |s: &str| escape(s, style);
    let numbers: Vec<&str> = m.others.iter().map(|c| c.number.as_str()).collect();
    let subject = mms.subject.as_deref().map_or("null".to_owned(), e);
    let _ = write!(
        out,
        "  <mms date=\"{}\" rr=\"null\" sub=\"{subject}\" \
         ct_t=\"application/vnd.wap.multipart.related\" read_status=\"null\" seen=\"1\" \
         msg_box=\"{}\" address=\"{}\" sub_cs=\"null\" resp_st=\"null\" retr_st=\"null\" \
         d_tm=\"null\" text_only=\"0\" exp=\"null\" locked=\"0\" m_id=\"mid{index}\" \
         st=\"null\" retr_txt_cs=\"null\" retr_txt=\"null\" \
         creator=\"com.google.android.apps.messaging\" date_sent=\"0\" read=\"1\" \
         m_size=\"0\" rpt_a=\"null\" ct_cls=\"null\" pri=\"null\" sub_id=\"1\" \
         tr_id=\"T{index:x}\" resp_txt=\"null\" ct_l=\"null\" m_cls=\"personal\" \
         d_rpt=\"129\" v=\"18\" _id=\"{}\" m_type=\"{}\" readable_date=\"{}\" \
         contact_name=\"{}\">{nl}",
        millis(m.sent_at),
        m.box_type,
        e(&numbers.join("~")),
        index + 1,
        if m.box_type == 1 { 132 } else { 128 },
        readable(m.sent_at),
        e(&contact_name(&m.others)),
    );
    let _ = write!(out, "    <parts>{nl}");
    let _ = write!(
        out,
        "      <part seq=\"-1\" ct=\"application/smil\" name=\"null\" chset=\"null\" \
         cd=\"null\" fn=\"null\" cid=\"&lt;smil&gt;\" cl=\"smil.xml\" ctt_s=\"null\" \
         ctt_t=\"null\" text=\"{}\" />{nl}",
        e("<smil><head><layout><root-layout/></layout></head><body><par dur=\"5000ms\"/></body></smil>")
    );
    let mut seq = 0;
    for a in &mms.attachments {
        let data = match &a.data {
            None => String::new(),
            Some(bytes) => format!(" data=\"{}\"", base64_text(bytes, style.base64)),
        };
        let _ = write!(
            out,
            "      <part seq=\"{seq}\" ct=\"{}\" name=\"{}\" chset=\"null\" cd=\"null\" \
             fn=\"null\" cid=\"&lt;{seq}&gt;\" cl=\"{}\" ctt_s=\"null\" ctt_t=\"null\" \
             text=\"null\"{data} />{nl}",
            e(&a.media_type),
            e(&a.name),
            e(&a.name),
        );
        seq += 1;
    }
    if !m.text.is_empty() {
        let texts: Vec<&str> = if mms.text_part_per_line {
            m.text.split('\n').collect()
        } else {
            vec![m.text.as_str()]
        };
        for (i, text) in texts.into_iter().enumerate() {
            let _ = write!(
                out,
                "      <part seq=\"{seq}\" ct=\"text/plain\" name=\"null\" chset=\"106\" \
                 cd=\"null\" fn=\"null\" cid=\"&lt;text_{i}&gt;\" cl=\"text_{i}.txt\" \
                 ctt_s=\"null\" ctt_t=\"null\" text=\"{}\" />{nl}",
                e(text)
            );
            seq += 1;
        }
    }
    let _ = write!(out, "    </parts>{nl}    <addrs>{nl}");
    let mut addr = |address: &str, kind: u16| {
        let _ = write!(
            out,
            "      <addr address=\"{}\" type=\"{kind}\" charset=\"106\" />{nl}",
            e(address)
        );
    };
    if m.box_type == 1 {
        if let Some(from) = m.others.get(m.from) {
            addr(&from.number, 137);
        }
        addr(&style.own_number, 151);
        for (i, c) in m.others.iter().enumerate() {
            if i != m.from {
                addr(&c.number, 151);
            }
        }
    } else {
        addr(SELF_TOKEN, 137);
        for c in &m.others {
            addr(&c.number, 151);
        }
    }
    let _ = write!(out, "    </addrs>{nl}  </mms>{nl}");
}

fn base64_text(bytes: &[u8], style: Base64Style) -> String {
    let text = STANDARD.encode(bytes);
    let sep = match style {
        Base64Style::OneLine => return text,
        Base64Style::Wrapped => "\n",
        Base64Style::EscapedBreaks => "&#10;",
    };
    text.as_bytes()
        .chunks(76)
        .map(|c| std::str::from_utf8(c).unwrap_or_default())
        .collect::<Vec<_>>()
        .join(sep)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn writes_an_sms_the_way_the_app_does() {
        let m = GenMessage {
            sent_at: datetime!(2024-01-05 11:43:20.123 UTC),
            box_type: 1,
            others: vec![GenContact {
                number: "+447700900123".into(),
                name: Some("Alice & Bob".into()),
            }],
            from: 0,
            text: "Where\nare you? 🙂".into(),
            mms: None,
        };
        let style = Style {
            emoji_as_surrogates: true,
            ..Style::default()
        };
        let (xml, lines) = write_with_lines(std::slice::from_ref(&m), &style);
        assert_eq!(lines, [5]);
        assert!(xml.contains("<smses count=\"1\""), "{xml}");
        assert!(xml.contains(" date=\"1704455000123\" type=\"1\" "), "{xml}");
        assert!(
            xml.contains("body=\"Where&#10;are you? &#55357;&#56898;\""),
            "{xml}"
        );
        assert!(xml.contains("contact_name=\"Alice &amp; Bob\""), "{xml}");
        assert!(xml.ends_with("</smses>\n"));
    }

    #[test]
    fn group_names_and_wrapped_base64() {
        let others = [
            GenContact {
                number: "+1".into(),
                name: Some("A".into()),
            },
            GenContact {
                number: "+2".into(),
                name: None,
            },
        ];
        assert_eq!(contact_name(&others), "A, +2");
        assert_eq!(contact_name(&others[1..]), "(Unknown)");
        let long = vec![0u8; 100];
        assert_eq!(
            base64_text(&long, Base64Style::Wrapped)
                .matches('\n')
                .count(),
            1
        );
        assert!(base64_text(&long, Base64Style::EscapedBreaks).contains("&#10;"));
    }
}
