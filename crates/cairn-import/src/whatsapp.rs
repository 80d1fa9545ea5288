//! WhatsApp's "Export chat" text file, parsed into messages.
//!
//! An export has one header line per message, and any line that is not a header
//! continues the message before it:
//!
//! ```text
//! 31/12/2023, 21:41 - Alice: Hello                 (Android, 24-hour clock)
//! 12/31/23, 9:41 PM - Alice: Hello                 (Android, 12-hour clock)
//! [31/12/2023, 21:41:05] Alice: Hello              (iOS, seconds included)
//! ```
//!
//! The phone writes the date in its locale's order and does not say which, so the
//! order is worked out from the whole file (see [`parse`]). The first line fixes the
//! file's style (platform, clock, date separator, comma, seconds); a later line in
//! another style is text someone pasted, not a header, so it continues the message
//! it is in.

use time::{Date, Month, PrimitiveDateTime, Time};

use crate::error::{ImportError, MalformedReason};

/// The most bytes one message (its sender and text, after direction marks are
/// removed) may have. WhatsApp caps a message at about 65,000 characters, so anything
/// past this was not written by WhatsApp; refusing it bounds the work a hostile file
/// can cause per message.
pub const MAX_MESSAGE_BYTES: usize = 1 << 20;

/// The phone that made the export; the two write different formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Platform {
    /// `31/12/2023, 21:41 - Alice: Hello`: minutes only, system lines have no sender.
    Android,
    /// `[31/12/2023, 21:41:05] Alice: Hello`: seconds included; system lines carry
    /// the chat's name as their sender.
    Ios,
}

/// How the export writes times.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Clock {
    /// `9:41 PM` (also `pm`, `p.m.`).
    H12,
    /// `21:41`.
    H24,
}

/// The order of day, month and year in the export's dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DateOrder {
    /// `31/12/2023`.
    DayFirst,
    /// `12/31/2023`.
    MonthFirst,
    /// `2023-12-31`.
    YearFirst,
}

impl std::fmt::Display for DateOrder {
    /// "day first", "month first" or "year first", for sentences.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            DateOrder::DayFirst => "day first",
            DateOrder::MonthFirst => "month first",
            DateOrder::YearFirst => "year first",
        })
    }
}

/// What a message is.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum MessageKind {
    /// Something a person wrote.
    Text,
    /// A line WhatsApp wrote itself ("Alice added Bob", the encryption notice …).
    /// Only Android marks these, by giving no sender; on iOS they read as
    /// [`MessageKind::Text`] from the chat's name.
    System,
    /// A photo, video, voice note, sticker or document exported "without media":
    /// the chat says one was sent but the file is not in the export.
    MediaOmitted,
    /// A file exported "with media"; the file travels beside the chat text.
    Attachment {
        /// The file's name as the export gives it, e.g. `IMG-20231231-WA0001.jpg`.
        file_name: String,
    },
    /// A message its sender deleted ("This message was deleted", "You deleted this
    /// message"); `text` keeps those words, since "You" tells whose phone exported.
    Deleted,
}

/// One message of the chat.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// 1-based line of the message's header in the export.
    pub line: usize,
    /// When it was sent, exactly as the export writes it. WhatsApp exports carry no
    /// time zone: this is the wall-clock time of the exporting phone's time zone when
    /// it exported, not necessarily where either person was when it was sent.
    /// Android exports give minutes only (seconds are 0).
    pub sent_at: PrimitiveDateTime,
    /// Who sent it, as the exporting phone named them (a contact name, or a phone
    /// number such as `+44 7700 900123`). `None` for Android system messages.
    pub sender: Option<String>,
    /// The text, its lines joined with `\n`, with Unicode direction marks removed and
    /// every other character kept. For [`MessageKind::Attachment`] and
    /// [`MessageKind::MediaOmitted`] it is the caption below WhatsApp's marker line
    /// (empty when there is none): the kind says what the marker said.
    pub text: String,
    /// What the message is.
    pub kind: MessageKind,
}

/// A parsed export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chat {
    /// Every message, in the export's order (never empty).
    pub messages: Vec<Message>,
    /// How dates were read.
    pub date_order: DateOrder,
    /// True when nothing in the file settled the date order: every day and month was
    /// 12 or less, and the chat read in time order either way (then
    /// [`DateOrder::DayFirst`] was assumed) or in neither (then the order with fewer
    /// steps back in time was taken, day first on a tie). Ask the person to check a
    /// date.
    pub date_order_guessed: bool,
    /// The phone that made the export.
    pub platform: Platform,
    /// How the export writes times.
    pub clock: Clock,
}

/// Parses a WhatsApp chat export.
///
/// `bytes` is the file as read: UTF-8, with or without a byte-order mark, with `\n`
/// or `\r\n` line ends. `dates` forces a date order (the person chose one); with
/// `None` the order comes from the whole file:
///
/// - a four-digit first number means year first;
/// - a first number over 12 means day first, a second number over 12 month first;
/// - lines that disagree are refused ([`ImportError::DateOrderConflict`]);
/// - when every number is 12 or less, the order under which the chat reads in time
///   order wins (a chat is chronological); when both or neither do, it is a guess
///   ([`Chat::date_order_guessed`]; see there).
///
/// Two-digit years are 2000 + the year. The whole file is refused, naming the line,
/// when its first line is not a message header, a date or time does not exist, or a
/// message is longer than [`MAX_MESSAGE_BYTES`].
pub fn parse(bytes: &[u8], dates: Option<DateOrder>) -> Result<Chat, ImportError> {
    let text = std::str::from_utf8(bytes).map_err(|e| ImportError::NotUtf8 {
        offset: e.valid_up_to(),
    })?;
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    if text.trim().is_empty() {
        return Err(ImportError::Empty);
    }
    // `split_inclusive` yields no empty piece after a final newline, so a file's
    // closing line end does not add an empty line to its last message.
    let mut lines = text
        .split_inclusive('\n')
        .map(|l| {
            let l = l.strip_suffix('\n').unwrap_or(l);
            l.strip_suffix('\r').unwrap_or(l)
        })
        .zip(1usize..);

    let first = lines
        .next()
        .and_then(|(l, _)| header(l))
        .ok_or(ImportError::Malformed {
            line: 1,
            reason: MalformedReason::NotAMessageLine,
        })?;
    let style = first.style();
    let mut reader = Reader::new(style.platform, dates);
    reader.start(1, first)?;
    for (line, number) in lines {
        match header(line).filter(|h| h.style() == style) {
            Some(h) => reader.start(number, h)?,
            None => reader.continue_with(line)?,
        }
    }
    reader.finish(style.clock)
}

/// The Unicode direction marks WhatsApp scatters through exports (before iOS lines
/// and markers, around phone numbers and right-to-left names): U+200E, U+200F,
/// U+202A–U+202E and U+2066–U+2069.
fn is_mark(c: char) -> bool {
    matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

fn push_unmarked(dst: &mut String, s: &str) {
    if s.contains(is_mark) {
        dst.extend(s.chars().filter(|&c| !is_mark(c)));
    } else {
        dst.push_str(s);
    }
}

/// A date's three numbers as written, before the order is known.
#[derive(Debug, Clone, Copy)]
struct RawDate {
    first: u16,
    second: u16,
    third: u16,
    first_digits: u8,
    third_digits: u8,
}

const ORDERS: [DateOrder; 3] = [
    DateOrder::DayFirst,
    DateOrder::MonthFirst,
    DateOrder::YearFirst,
];

fn year(value: u16, digits: u8) -> i32 {
    match digits {
        2 => 2000 + i32::from(value),
        _ => i32::from(value),
    }
}

/// The date `raw` stands for when read in `order`, if it exists. A year is two or
/// four digits. Year first needs a four-digit year unless the person chose that order
/// (`2023-12-31` is unambiguous; `23-12-31` would pass for day first).
fn date_under(raw: RawDate, order: DateOrder, chosen: bool) -> Option<Date> {
    let (y, m, d) = match order {
        DateOrder::DayFirst | DateOrder::MonthFirst => {
            if raw.first_digits == 4 || !matches!(raw.third_digits, 2 | 4) {
                return None;
            }
            let y = year(raw.third, raw.third_digits);
            if order == DateOrder::DayFirst {
                (y, raw.second, raw.first)
            } else {
                (y, raw.first, raw.second)
            }
        }
        DateOrder::YearFirst => {
            let year_digits_ok = raw.first_digits == 4 || (chosen && raw.first_digits == 2);
            if !year_digits_ok || raw.third_digits > 2 {
                return None;
            }
            (year(raw.first, raw.first_digits), raw.second, raw.third)
        }
    };
    let month = Month::try_from(u8::try_from(m).ok()?).ok()?;
    Date::from_calendar_date(y, month, u8::try_from(d).ok()?).ok()
}

/// A time as written.
#[derive(Debug, Clone, Copy)]
struct RawTime {
    hour: u16,
    minute: u16,
    second: Option<u16>,
    /// `Some(true)` for PM on a 12-hour clock.
    pm: Option<bool>,
}

impl RawTime {
    fn to_time(self) -> Option<Time> {
        let hour = match self.pm {
            None => self.hour,
            // 12 AM is midnight and 12 PM noon; 0 and 13+ do not exist on this clock.
            Some(pm) if (1..=12).contains(&self.hour) => self.hour % 12 + if pm { 12 } else { 0 },
            Some(_) => return None,
        };
        Time::from_hms(
            u8::try_from(hour).ok()?,
            u8::try_from(self.minute).ok()?,
            u8::try_from(self.second.unwrap_or(0)).ok()?,
        )
        .ok()
    }
}

/// What must match the first line for a line to be a header of the same export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Style {
    platform: Platform,
    clock: Clock,
    separator: char,
    comma: bool,
    seconds: bool,
}

/// A header line, split into its parts.
#[derive(Debug)]
struct Header<'a> {
    platform: Platform,
    separator: char,
    comma: bool,
    date: RawDate,
    time: RawTime,
    /// `Sender: text`, or a system message's text.
    rest: &'a str,
}

impl Header<'_> {
    fn style(&self) -> Style {
        Style {
            platform: self.platform,
            clock: if self.time.pm.is_some() {
                Clock::H12
            } else {
                Clock::H24
            },
            separator: self.separator,
            comma: self.comma,
            seconds: self.time.second.is_some(),
        }
    }
}

/// Reads a header line, or `None` when the line is not shaped like one. Only shape is
/// checked here; whether the date and time exist is checked once the line is known to
/// be a header of this export.
fn header(line: &str) -> Option<Header<'_>> {
    let line = line.trim_start_matches(is_mark);
    let (platform, mut c) = match line.strip_prefix('[') {
        Some(r) => (Platform::Ios, Cursor(r)),
        None => (Platform::Android, Cursor(line)),
    };
    let (date, separator) = c.date()?;
    // "31/12/2023, 21:41"; a few locales leave out the comma.
    let comma = c.eat(',');
    if !c.eat(' ') {
        return None;
    }
    let time = c.time()?;
    let rest = match platform {
        Platform::Ios => c.0.strip_prefix("] ")?,
        Platform::Android => c.0.strip_prefix(" - ")?,
    };
    Some(Header {
        platform,
        separator,
        comma,
        date,
        time,
        rest,
    })
}

/// A read position in a line; every step either consumes what it expects or fails.
struct Cursor<'a>(&'a str);

impl Cursor<'_> {
    fn eat(&mut self, c: char) -> bool {
        match self.0.strip_prefix(c) {
            Some(r) => {
                self.0 = r;
                true
            }
            None => false,
        }
    }

    /// 1 to `max` ASCII digits (more is not a number WhatsApp writes).
    fn number(&mut self, max: usize) -> Option<(u16, u8)> {
        let n = self
            .0
            .bytes()
            .take(max + 1)
            .take_while(u8::is_ascii_digit)
            .count();
        if n == 0 || n > max {
            return None;
        }
        let (digits, rest) = self.0.split_at_checked(n)?;
        self.0 = rest;
        // At most 4 digits, so at most 9999: no overflow.
        let value = digits
            .bytes()
            .fold(0u16, |v, d| v * 10 + u16::from(d - b'0'));
        Some((value, u8::try_from(n).ok()?))
    }

    /// `31/12/2023`, `12/31/23`, `31.12.23`, `2023-12-31`: three numbers, one
    /// separator; a year (two or four digits) first or last.
    fn date(&mut self) -> Option<(RawDate, char)> {
        let (first, first_digits) = self.number(4)?;
        let separator = self
            .0
            .chars()
            .next()
            .filter(|c| matches!(c, '/' | '.' | '-'))?;
        self.eat(separator);
        let (second, _) = self.number(2)?;
        if !self.eat(separator) {
            return None;
        }
        let (third, third_digits) = self.number(4)?;
        let widths_ok =
            first_digits != 3 && third_digits != 3 && !(first_digits == 4 && third_digits == 4);
        widths_ok.then_some((
            RawDate {
                first,
                second,
                third,
                first_digits,
                third_digits,
            },
            separator,
        ))
    }

    /// `21:41`, `21:41:05`, `9:41 PM`, `9:41 pm`, `9:41 p.m.`, with a space, U+00A0 or
    /// U+202F (newer exports) before the AM/PM, or none.
    fn time(&mut self) -> Option<RawTime> {
        let (hour, _) = self.number(2)?;
        if !self.eat(':') {
            return None;
        }
        let minute = self.two_digits()?;
        let second = if self.eat(':') {
            Some(self.two_digits()?)
        } else {
            None
        };
        let before = self.0;
        let pm = self.meridiem();
        if pm.is_none() {
            self.0 = before;
        }
        Some(RawTime {
            hour,
            minute,
            second,
            pm,
        })
    }

    fn two_digits(&mut self) -> Option<u16> {
        match self.number(2)? {
            (v, 2) => Some(v),
            _ => None,
        }
    }

    /// `Some(true)` for PM, `Some(false)` for AM, `None` when there is neither (the
    /// caller rewinds).
    fn meridiem(&mut self) -> Option<bool> {
        if let Some(r) = self.0.strip_prefix([' ', '\u{A0}', '\u{202F}']) {
            self.0 = r;
        }
        let pm = match self.0.chars().next()? {
            'a' | 'A' => false,
            'p' | 'P' => true,
            _ => return None,
        };
        self.0 = self.0.get(1..)?;
        self.eat('.');
        if !(self.eat('m') || self.eat('M')) {
            return None;
        }
        self.eat('.');
        Some(pm)
    }
}

/// Splits `Sender: text`. A system message has no sender, but may still hold ": "
/// inside a quotation (`Alice changed the subject to "Plans: May"`): a colon after an
/// unclosed quote is not a sender's.
fn split_sender(rest: &str) -> (Option<String>, &str) {
    if let Some((name, text)) = rest.split_once(": ") {
        let mut sender = String::with_capacity(name.len());
        push_unmarked(&mut sender, name);
        let open_quote = sender.matches('"').count() % 2 == 1
            || sender.matches('\u{201C}').count() > sender.matches('\u{201D}').count();
        if !sender.is_empty() && !open_quote {
            return (Some(sender), text);
        }
    }
    (None, rest)
}

/// iOS's "without media" markers (English exports).
const IOS_OMITTED: [&str; 8] = [
    "image omitted",
    "video omitted",
    "audio omitted",
    "sticker omitted",
    "GIF omitted",
    "document omitted",
    "Contact card omitted",
    "video note omitted",
];

/// What a sender's message is, from its marker line, and the text to keep.
fn classify(platform: Platform, body: String) -> (MessageKind, String) {
    let (first, caption) = body.split_once('\n').unwrap_or((&body, ""));
    let kind = match platform {
        Platform::Android if first == "<Media omitted>" => Some(MessageKind::MediaOmitted),
        Platform::Android => first
            .strip_suffix(" (file attached)")
            .filter(|name| !name.is_empty())
            .map(|name| MessageKind::Attachment {
                file_name: name.to_owned(),
            }),
        Platform::Ios if IOS_OMITTED.contains(&first) => Some(MessageKind::MediaOmitted),
        Platform::Ios => first
            .strip_prefix("<attached: ")
            .and_then(|r| r.strip_suffix('>'))
            .filter(|name| !name.is_empty())
            .map(|name| MessageKind::Attachment {
                file_name: name.to_owned(),
            }),
    };
    if let Some(kind) = kind {
        return (kind, caption.to_owned());
    }
    let deleted = matches!(
        body.strip_suffix('.').unwrap_or(&body),
        "This message was deleted" | "You deleted this message"
    );
    let kind = if deleted {
        MessageKind::Deleted
    } else {
        MessageKind::Text
    };
    (kind, body)
}

/// The message being read: its header is known, more lines may follow.
struct Open {
    line: usize,
    time: Time,
    sender: Option<String>,
    body: String,
}

/// For each date order: still possible, and if not, the line that ruled it out.
#[derive(Clone, Copy)]
struct Candidate {
    order: DateOrder,
    possible: bool,
    ruled_out_at: usize,
}

/// Builds the chat line by line. Dates are kept raw beside the messages until the
/// whole file has been seen, since a line near the end can settle the order.
struct Reader {
    platform: Platform,
    chosen: Option<DateOrder>,
    candidates: [Candidate; 3],
    messages: Vec<Message>,
    dates: Vec<RawDate>,
    open: Option<Open>,
}

impl Reader {
    fn new(platform: Platform, chosen: Option<DateOrder>) -> Reader {
        Reader {
            platform,
            chosen,
            candidates: ORDERS.map(|order| Candidate {
                order,
                possible: true,
                ruled_out_at: 0,
            }),
            messages: Vec::new(),
            dates: Vec::new(),
            open: None,
        }
    }

    fn start(&mut self, line: usize, h: Header<'_>) -> Result<(), ImportError> {
        let malformed = |reason| ImportError::Malformed { line, reason };
        let time = h
            .time
            .to_time()
            .ok_or(malformed(MalformedReason::NoSuchTime))?;
        self.check_date(line, h.date)?;
        self.close();
        let (sender, text) = split_sender(h.rest);
        let mut body = String::new();
        push_unmarked(&mut body, text);
        let open = Open {
            line,
            time,
            sender,
            body,
        };
        check_length(&open)?;
        self.open = Some(open);
        self.dates.push(h.date);
        Ok(())
    }

    fn continue_with(&mut self, line: &str) -> Result<(), ImportError> {
        if let Some(open) = &mut self.open {
            open.body.push('\n');
            push_unmarked(&mut open.body, line);
            check_length(open)?;
        }
        Ok(())
    }

    /// Narrows the possible date orders by one header's date, or refuses it.
    fn check_date(&mut self, line: usize, raw: RawDate) -> Result<(), ImportError> {
        if let Some(order) = self.chosen {
            if date_under(raw, order, true).is_some() {
                return Ok(());
            }
            // "Does not fit" only when another order would have read it as written.
            let exists = ORDERS.iter().any(|&o| date_under(raw, o, false).is_some());
            let reason = if exists {
                MalformedReason::DateDoesNotFit(order)
            } else {
                MalformedReason::NoSuchDate
            };
            return Err(ImportError::Malformed { line, reason });
        }
        let fits = ORDERS.map(|o| date_under(raw, o, false).is_some());
        if !fits.contains(&true) {
            return Err(ImportError::Malformed {
                line,
                reason: MalformedReason::NoSuchDate,
            });
        }
        let agrees = self
            .candidates
            .iter()
            .zip(fits)
            .any(|(c, fit)| c.possible && fit);
        if !agrees {
            // Every order this line allows was ruled out before; name the latest line
            // that did so (the one this line contradicts).
            let earlier_line = self
                .candidates
                .iter()
                .zip(fits)
                .filter(|&(_, fit)| fit)
                .map(|(c, _)| c.ruled_out_at)
                .max()
                .unwrap_or(0);
            return Err(ImportError::DateOrderConflict { line, earlier_line });
        }
        for (c, fit) in self.candidates.iter_mut().zip(fits) {
            if c.possible && !fit {
                c.possible = false;
                c.ruled_out_at = line;
            }
        }
        Ok(())
    }

    fn close(&mut self) {
        if let Some(open) = self.open.take() {
            let (kind, text) = match open.sender {
                None => (MessageKind::System, open.body),
                Some(_) => classify(self.platform, open.body),
            };
            self.messages.push(Message {
                line: open.line,
                // The date is filled in by `finish`, once the order is known.
                sent_at: PrimitiveDateTime::new(Date::MIN, open.time),
                sender: open.sender,
                text,
                kind,
            });
        }
    }

    fn finish(mut self, clock: Clock) -> Result<Chat, ImportError> {
        self.close();
        let (date_order, date_order_guessed) = match self.chosen {
            Some(order) => (order, false),
            None => self.settle_order(),
        };
        let chosen = self.chosen.is_some();
        for (m, &raw) in self.messages.iter_mut().zip(&self.dates) {
            // Every date was checked against the order when its line was read.
            let date = date_under(raw, date_order, chosen).ok_or(ImportError::Malformed {
                line: m.line,
                reason: MalformedReason::NoSuchDate,
            })?;
            m.sent_at = PrimitiveDateTime::new(date, m.sent_at.time());
        }
        Ok(Chat {
            messages: self.messages,
            date_order,
            date_order_guessed,
            platform: self.platform,
            clock,
        })
    }

    /// The date order the file's dates allow, and whether it was a guess.
    fn settle_order(&self) -> (DateOrder, bool) {
        let possible = || self.candidates.iter().filter(|c| c.possible);
        if let (Some(only), 1) = (possible().next(), possible().count()) {
            return (only.order, false);
        }
        // Only day first and month first can both survive (a year-first date fits
        // neither). The chat is chronological: prefer the order that keeps it so.
        let day = self.backward_steps(DateOrder::DayFirst);
        let month = self.backward_steps(DateOrder::MonthFirst);
        match (day, month) {
            (0, m) if m > 0 => (DateOrder::DayFirst, false),
            (d, 0) if d > 0 => (DateOrder::MonthFirst, false),
            (d, m) if m < d => (DateOrder::MonthFirst, true),
            _ => (DateOrder::DayFirst, true),
        }
    }

    /// How often a message is older than the one before it, reading dates in `order`.
    fn backward_steps(&self, order: DateOrder) -> usize {
        let mut previous: Option<PrimitiveDateTime> = None;
        let mut steps = 0;
        for (m, &raw) in self.messages.iter().zip(&self.dates) {
            let Some(date) = date_under(raw, order, false) else {
                continue;
            };
            let at = PrimitiveDateTime::new(date, m.sent_at.time());
            if previous.is_some_and(|p| at < p) {
                steps += 1;
            }
            previous = Some(at);
        }
        steps
    }
}

fn check_length(open: &Open) -> Result<(), ImportError> {
    let len = open.body.len() + open.sender.as_ref().map_or(0, String::len);
    if len > MAX_MESSAGE_BYTES {
        return Err(ImportError::MessageTooLong { line: open.line });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(line: &str) -> Header<'_> {
        header(line).unwrap()
    }

    #[test]
    fn header_shapes() {
        let a = h("31/12/2023, 21:41 - Alice: Hello");
        assert_eq!(a.platform, Platform::Android);
        assert_eq!((a.date.first, a.date.second, a.date.third), (31, 12, 2023));
        assert_eq!(a.rest, "Alice: Hello");
        assert_eq!(a.style().clock, Clock::H24);

        let i = h("\u{200E}[12/31/23, 9:41:05\u{202F}p.m.] Alice: Hi");
        assert_eq!(i.platform, Platform::Ios);
        assert_eq!(i.time.second, Some(5));
        assert_eq!(i.time.pm, Some(true));
        assert_eq!(i.date.third_digits, 2);
        assert_eq!(i.rest, "Alice: Hi");

        let y = h("2023-12-31 21:41 - x");
        assert_eq!(y.separator, '-');
        assert_eq!(y.date.first_digits, 4);
    }

    #[test]
    fn lines_that_are_not_headers() {
        for line in [
            "",
            "Hello",
            "31/12/2023",
            "31/12/2023, 21:41",
            "31/12/2023, 21:41 Alice: no dash",
            "31/12/2023, 21:41 -Alice",
            "31/12/2023 - Alice: no time",
            "31/12-2023, 21:41 - mixed separators",
            "31/12/2023, 21:4 - one-digit minutes",
            "31/12/20231, 21:41 - five-digit year",
            "123/12/23, 21:41 - three digits",
            "2023/12/2023, 21:41 - two years",
            "[31/12/2023] note",
            "[31/12/2023, 21:41:05]Bob: no space",
            "21:41 - Alice: no date",
            "- Alice: bullet",
        ] {
            assert!(header(line).is_none(), "{line:?}");
        }
    }

    #[test]
    fn twelve_hour_times() {
        let t = |line: &str| h(line).time.to_time();
        assert_eq!(
            t("1/1/24, 12:05 AM - x"),
            Some(Time::from_hms(0, 5, 0).unwrap())
        );
        assert_eq!(
            t("1/1/24, 12:05 PM - x"),
            Some(Time::from_hms(12, 5, 0).unwrap())
        );
        assert_eq!(
            t("1/1/24, 9:41 a.m. - x"),
            Some(Time::from_hms(9, 41, 0).unwrap())
        );
        assert_eq!(t("1/1/24, 13:00 PM - x"), None);
        assert_eq!(t("1/1/24, 0:30 AM - x"), None);
        assert_eq!(t("1/1/24, 24:00 - x"), None);
        assert_eq!(t("1/1/24, 23:60 - x"), None);
    }

    #[test]
    fn dates_under_each_order() {
        let raw = h("02/03/24, 10:00 - x").date;
        let d = |o, chosen| date_under(raw, o, chosen).map(|d| d.to_string());
        assert_eq!(d(DateOrder::DayFirst, false).as_deref(), Some("2024-03-02"));
        assert_eq!(
            d(DateOrder::MonthFirst, false).as_deref(),
            Some("2024-02-03")
        );
        // Two-digit year first only when chosen.
        assert_eq!(d(DateOrder::YearFirst, false), None);
        assert_eq!(d(DateOrder::YearFirst, true).as_deref(), Some("2002-03-24"));
        let feb30 = h("30/02/2023, 10:00 - x").date;
        assert!(ORDERS.iter().all(|&o| date_under(feb30, o, true).is_none()));
    }

    #[test]
    fn direction_marks_go_and_the_rest_stays() {
        let mut s = String::new();
        push_unmarked(
            &mut s,
            "\u{200E}a\u{200F}b\u{202A}c\u{202E}d\u{2066}e\u{2069}\u{00A0}🙂\u{200D}",
        );
        assert_eq!(s, "abcde\u{00A0}🙂\u{200D}");
    }

    #[test]
    fn quoted_colons_are_not_senders() {
        assert_eq!(
            split_sender("Alice changed the subject to \"Plans: May\""),
            (None, "Alice changed the subject to \"Plans: May\"")
        );
        assert_eq!(
            split_sender("Mum \"home\": Hi"),
            (Some("Mum \"home\"".to_owned()), "Hi")
        );
        assert_eq!(
            split_sender("\u{202A}+44 7700 900123\u{202C}: Hi"),
            (Some("+44 7700 900123".to_owned()), "Hi")
        );
        assert_eq!(split_sender(": Hi"), (None, ": Hi"));
    }
}
