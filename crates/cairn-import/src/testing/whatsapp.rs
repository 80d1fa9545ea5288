//! Writes messages the way a WhatsApp export does, in any style the parser reads, so
//! tests, fuzz targets and benchmarks can make exports and check they read back.
//! Not for use outside tests: it trusts its input (a sender with `": "` or a text
//! line shaped like a header writes an export that reads back differently).

use std::fmt::Write as _;

use time::PrimitiveDateTime;

use crate::whatsapp::{Clock, DateOrder, MessageKind, Platform};

/// A message to write: what [`crate::whatsapp::Message`] holds, less the line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenMessage {
    /// When it was sent (Android writes minutes only).
    pub sent_at: PrimitiveDateTime,
    /// `None` writes a system line.
    pub sender: Option<String>,
    /// The text; for attachments and omitted media, the caption (may be empty).
    pub text: String,
    /// What to write.
    pub kind: MessageKind,
}

/// What goes before AM/PM.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MeridiemSpace {
    /// U+0020.
    Space,
    /// U+00A0 NO-BREAK SPACE.
    Nbsp,
    /// U+202F NARROW NO-BREAK SPACE (newer exports).
    Nnbsp,
}

/// How AM/PM is spelt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Meridiem {
    /// `PM`.
    Upper,
    /// `pm`.
    Lower,
    /// `p.m.`.
    Dotted,
}

/// One way an export can look.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    /// Android or iOS layout.
    pub platform: Platform,
    /// 12- or 24-hour times.
    pub clock: Clock,
    /// Date order; year first is always written with a four-digit year.
    pub date_order: DateOrder,
    /// `2023` rather than `23`.
    pub four_digit_year: bool,
    /// `/`, `.` or `-`.
    pub date_separator: char,
    /// `01/02` rather than `1/2` for day and month.
    pub pad_date: bool,
    /// U+200E before iOS lines and before attachment and deleted markers, and
    /// U+202A…U+202C around senders that are phone numbers, as real exports do.
    pub marks: bool,
    /// AM/PM spelling (12-hour only).
    pub meridiem: Meridiem,
    /// What goes before AM/PM (12-hour only).
    pub meridiem_space: MeridiemSpace,
    /// `\r\n` line ends.
    pub crlf: bool,
    /// A leading byte-order mark.
    pub bom: bool,
}

impl Style {
    /// The commonest look for a platform, clock and date order.
    pub fn new(platform: Platform, clock: Clock, date_order: DateOrder) -> Style {
        Style {
            platform,
            clock,
            date_order,
            four_digit_year: date_order == DateOrder::YearFirst
                || (clock == Clock::H24 && date_order == DateOrder::DayFirst),
            date_separator: if date_order == DateOrder::YearFirst {
                '-'
            } else {
                '/'
            },
            pad_date: clock == Clock::H24,
            marks: platform == Platform::Ios,
            meridiem: Meridiem::Upper,
            meridiem_space: MeridiemSpace::Space,
            crlf: false,
            bom: false,
        }
    }

    /// Every style the parser should read: Android and iOS, both clocks, each date
    /// order (year first on Android only), every separator, year width, padding,
    /// mark setting, AM/PM spelling and space, line end and BOM.
    pub fn all() -> Vec<Style> {
        let mut all = Vec::new();
        for platform in [Platform::Android, Platform::Ios] {
            let orders: &[DateOrder] = match platform {
                Platform::Android => &[
                    DateOrder::DayFirst,
                    DateOrder::MonthFirst,
                    DateOrder::YearFirst,
                ],
                Platform::Ios => &[DateOrder::DayFirst, DateOrder::MonthFirst],
            };
            for clock in [Clock::H24, Clock::H12] {
                let meridiems: Vec<(Meridiem, MeridiemSpace)> = match clock {
                    Clock::H24 => vec![(Meridiem::Upper, MeridiemSpace::Space)],
                    Clock::H12 => [Meridiem::Upper, Meridiem::Lower, Meridiem::Dotted]
                        .into_iter()
                        .flat_map(|m| {
                            [
                                MeridiemSpace::Space,
                                MeridiemSpace::Nbsp,
                                MeridiemSpace::Nnbsp,
                            ]
                            .map(|s| (m, s))
                        })
                        .collect(),
                };
                for &date_order in orders {
                    let years: &[bool] = if date_order == DateOrder::YearFirst {
                        &[true]
                    } else {
                        &[false, true]
                    };
                    for separator in ['/', '.', '-'] {
                        for &four_digit_year in years {
                            for pad_date in [false, true] {
                                for &(meridiem, meridiem_space) in &meridiems {
                                    for marks in [false, true] {
                                        for (crlf, bom) in [(false, false), (true, true)] {
                                            all.push(Style {
                                                platform,
                                                clock,
                                                date_order,
                                                four_digit_year,
                                                date_separator: separator,
                                                pad_date,
                                                marks,
                                                meridiem,
                                                meridiem_space,
                                                crlf,
                                                bom,
                                            });
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        all
    }
}

/// `sent_at` as an export in `platform`'s format records it (Android drops seconds).
pub fn as_written(sent_at: PrimitiveDateTime, platform: Platform) -> PrimitiveDateTime {
    match platform {
        Platform::Ios => sent_at,
        Platform::Android => sent_at.replace_second(0).unwrap_or(sent_at),
    }
}

/// How many lines `m` takes in an export (its header line and its text's lines).
pub fn line_count(m: &GenMessage) -> usize {
    let text_lines = m.text.split('\n').count();
    match m.kind {
        // The marker takes the first line; the caption follows only when there is one.
        MessageKind::Attachment { .. } | MessageKind::MediaOmitted if m.text.is_empty() => 1,
        MessageKind::Attachment { .. } | MessageKind::MediaOmitted => 1 + text_lines,
        _ => text_lines,
    }
}

/// Renders `messages` as an export in `style`.
pub fn write(messages: &[GenMessage], style: Style) -> String {
    let mut out = String::new();
    if style.bom {
        out.push('\u{FEFF}');
    }
    let end = if style.crlf { "\r\n" } else { "\n" };
    let lrm = if style.marks { "\u{200E}" } else { "" };
    for m in messages {
        let mut line = String::new();
        if style.platform == Platform::Ios {
            let _ = write!(line, "{lrm}[");
        }
        write_date(&mut line, m.sent_at, style);
        line.push_str(", ");
        write_time(&mut line, m.sent_at, style);
        line.push_str(match style.platform {
            Platform::Ios => "] ",
            Platform::Android => " - ",
        });
        if let Some(sender) = &m.sender {
            if style.marks && sender.starts_with('+') {
                let _ = write!(line, "\u{202A}{sender}\u{202C}: ");
            } else {
                let _ = write!(line, "{sender}: ");
            }
        }
        let caption = |line: &mut String| {
            if !m.text.is_empty() {
                line.push('\n');
                line.push_str(&m.text);
            }
        };
        match (&m.kind, style.platform) {
            (MessageKind::Text | MessageKind::System, _) => line.push_str(&m.text),
            (MessageKind::Deleted, Platform::Ios) => {
                let _ = write!(line, "{lrm}{}", m.text);
            }
            (MessageKind::Deleted, Platform::Android) => line.push_str(&m.text),
            (MessageKind::MediaOmitted, Platform::Android) => {
                line.push_str("<Media omitted>");
                caption(&mut line);
            }
            (MessageKind::MediaOmitted, Platform::Ios) => {
                let _ = write!(line, "{lrm}image omitted");
                caption(&mut line);
            }
            (MessageKind::Attachment { file_name }, Platform::Android) => {
                let _ = write!(line, "{lrm}{file_name} (file attached)");
                caption(&mut line);
            }
            (MessageKind::Attachment { file_name }, Platform::Ios) => {
                let _ = write!(line, "{lrm}<attached: {file_name}>");
                caption(&mut line);
            }
        }
        for l in line.split('\n') {
            out.push_str(l);
            out.push_str(end);
        }
    }
    out
}

fn write_date(out: &mut String, at: PrimitiveDateTime, style: Style) {
    let sep = style.date_separator;
    let (day, month) = (at.day(), u8::from(at.month()));
    let field = |out: &mut String, v: u8| {
        let _ = if style.pad_date {
            write!(out, "{v:02}")
        } else {
            write!(out, "{v}")
        };
    };
    let year = |out: &mut String| {
        let _ = if style.four_digit_year || style.date_order == DateOrder::YearFirst {
            write!(out, "{:04}", at.year())
        } else {
            write!(out, "{:02}", at.year().rem_euclid(100))
        };
    };
    match style.date_order {
        DateOrder::DayFirst => {
            field(out, day);
            out.push(sep);
            field(out, month);
            out.push(sep);
            year(out);
        }
        DateOrder::MonthFirst => {
            field(out, month);
            out.push(sep);
            field(out, day);
            out.push(sep);
            year(out);
        }
        DateOrder::YearFirst => {
            year(out);
            out.push(sep);
            field(out, month);
            out.push(sep);
            field(out, day);
        }
    }
}

fn write_time(out: &mut String, at: PrimitiveDateTime, style: Style) {
    let (hour, minute, second) = (at.hour(), at.minute(), at.second());
    let _ = match style.clock {
        Clock::H24 => write!(out, "{hour:02}:{minute:02}"),
        Clock::H12 => write!(out, "{}:{minute:02}", (hour + 11) % 12 + 1),
    };
    if style.platform == Platform::Ios {
        let _ = write!(out, ":{second:02}");
    }
    if style.clock == Clock::H12 {
        out.push(match style.meridiem_space {
            MeridiemSpace::Space => ' ',
            MeridiemSpace::Nbsp => '\u{A0}',
            MeridiemSpace::Nnbsp => '\u{202F}',
        });
        let pm = hour >= 12;
        out.push_str(match (style.meridiem, pm) {
            (Meridiem::Upper, false) => "AM",
            (Meridiem::Upper, true) => "PM",
            (Meridiem::Lower, false) => "am",
            (Meridiem::Lower, true) => "pm",
            (Meridiem::Dotted, false) => "a.m.",
            (Meridiem::Dotted, true) => "p.m.",
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn writes_the_usual_looks() {
        let m = GenMessage {
            sent_at: datetime!(2023-12-31 21:41:05),
            sender: Some("Alice".into()),
            text: "Hello".into(),
            kind: MessageKind::Text,
        };
        let w = |s| write(std::slice::from_ref(&m), s);
        assert_eq!(
            w(Style::new(
                Platform::Android,
                Clock::H24,
                DateOrder::DayFirst
            )),
            "31/12/2023, 21:41 - Alice: Hello\n"
        );
        assert_eq!(
            w(Style::new(
                Platform::Android,
                Clock::H12,
                DateOrder::MonthFirst
            )),
            "12/31/23, 9:41 PM - Alice: Hello\n"
        );
        assert_eq!(
            w(Style::new(
                Platform::Android,
                Clock::H24,
                DateOrder::YearFirst
            )),
            "2023-12-31, 21:41 - Alice: Hello\n"
        );
        assert_eq!(
            w(Style::new(Platform::Ios, Clock::H24, DateOrder::DayFirst)),
            "\u{200E}[31/12/2023, 21:41:05] Alice: Hello\n"
        );
    }

    #[test]
    fn midnight_and_noon_on_a_twelve_hour_clock() {
        let mut s = String::new();
        let style = Style::new(Platform::Android, Clock::H12, DateOrder::MonthFirst);
        write_time(&mut s, datetime!(2024-01-01 00:05), style);
        s.push('|');
        write_time(&mut s, datetime!(2024-01-01 12:05), style);
        assert_eq!(s, "12:05 AM|12:05 PM");
    }
}
