//! Conversion between LSP positions (line + UTF-16 or UTF-8 column) and byte offsets.
//!
//! Invariant: every conversion clamps. A position past the end of a line maps to the end of
//! that line, a line past the end maps to the end of the text, and a column inside a UTF-16
//! surrogate pair or a multi-byte UTF-8 sequence maps to the start of that character. Nothing
//! here panics on any input.

use ropey::Rope;

/// How the client counts columns, as negotiated through `positionEncoding`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PositionEncoding {
    /// UTF-16 code units: the LSP default.
    #[default]
    Utf16,
    /// UTF-8 bytes, when the client offers it.
    Utf8,
}

/// A zero-based line and column, in the units of a [`PositionEncoding`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct LineCol {
    /// Zero-based line.
    pub line: u32,
    /// Zero-based column in the encoding's units.
    pub col: u32,
}

/// Number of characters on `line`, not counting its line break.
fn line_len_chars(rope: &Rope, line: usize) -> usize {
    let slice = rope.line(line);
    let mut len = slice.len_chars();
    if len > 0 && slice.char(len - 1) == '\n' {
        len -= 1;
    }
    if len > 0 && slice.char(len - 1) == '\r' {
        len -= 1;
    }
    len
}

/// Converts a line/column position to a byte offset, clamping as described in the module docs.
pub fn to_byte(rope: &Rope, pos: LineCol, encoding: PositionEncoding) -> usize {
    let line = pos.line as usize;
    if line >= rope.len_lines() {
        return rope.len_bytes();
    }
    let line_start_char = rope.line_to_char(line);
    let line_chars = line_len_chars(rope, line);
    let slice = rope.line(line).slice(..line_chars);
    let col = pos.col as usize;
    let char_in_line = match encoding {
        PositionEncoding::Utf16 => {
            if col >= slice.len_utf16_cu() {
                line_chars
            } else {
                slice.utf16_cu_to_char(col)
            }
        }
        PositionEncoding::Utf8 => {
            if col >= slice.len_bytes() {
                line_chars
            } else {
                slice.byte_to_char(col)
            }
        }
    };
    rope.char_to_byte(line_start_char + char_in_line)
}

/// Converts a byte offset to a line/column position. Offsets past the end clamp to the end,
/// and an offset inside a multi-byte character maps to the start of that character.
pub fn to_line_col(rope: &Rope, byte: usize, encoding: PositionEncoding) -> LineCol {
    let byte = byte.min(rope.len_bytes());
    let char_idx = rope.byte_to_char(byte);
    let line = rope.char_to_line(char_idx);
    let line_start_char = rope.line_to_char(line);
    let col = match encoding {
        PositionEncoding::Utf16 => {
            rope.char_to_utf16_cu(char_idx) - rope.char_to_utf16_cu(line_start_char)
        }
        PositionEncoding::Utf8 => rope.char_to_byte(char_idx) - rope.line_to_byte(line),
    };
    LineCol {
        line: u32::try_from(line).unwrap_or(u32::MAX),
        col: u32::try_from(col).unwrap_or(u32::MAX),
    }
}

/// Converts many byte offsets of one text to positions, reading each line once. An offset on
/// the line of the one before, and after it, costs a scan from the one before; only an offset
/// on another line, or back on the same line, walks the rope. So ascending offsets cost one
/// pass over their lines, however long a line is, and no offset costs more than
/// [`to_line_col`]. Gives what [`to_line_col`] gives for every offset, in any order.
pub struct LinePositions<'a> {
    rope: &'a Rope,
    encoding: PositionEncoding,
    len: usize,
    /// The line last looked up: its number, its first byte, and its text with its break.
    line: Option<(usize, usize, String)>,
    /// The last offset converted on that line, relative to its start, and its column.
    last: (usize, usize),
}

impl<'a> LinePositions<'a> {
    /// A converter for `rope`, counting columns in `encoding`.
    pub fn new(rope: &'a Rope, encoding: PositionEncoding) -> LinePositions<'a> {
        LinePositions {
            rope,
            encoding,
            len: rope.len_bytes(),
            line: None,
            last: (0, 0),
        }
    }

    /// The position of `byte`, clamped and rounded down to a character as [`to_line_col`].
    pub fn line_col(&mut self, byte: usize) -> LineCol {
        let byte = byte.min(self.len);
        let on_cached_line = self.line.as_ref().is_some_and(|(_, start, text)| {
            let end = start + text.len();
            let last_line = end == self.len && !text.ends_with(['\n', '\r']);
            *start <= byte && (byte < end || last_line)
        });
        if !on_cached_line {
            let line = self.rope.byte_to_line(byte);
            let start = self.rope.line_to_byte(line);
            // The previous line's buffer is reused: one allocation per converter, not per line.
            let mut text = self
                .line
                .take()
                .map(|(_, _, text)| text)
                .unwrap_or_default();
            text.clear();
            self.rope
                .line(line)
                .chunks()
                .for_each(|chunk| text.push_str(chunk));
            self.line = Some((line, start, text));
            self.last = (0, 0);
        }
        let Some((line, start, text)) = &self.line else {
            return LineCol::default();
        };
        let mut within = byte - start;
        while !text.is_char_boundary(within) {
            within -= 1;
        }
        let col = match self.encoding {
            PositionEncoding::Utf8 => within,
            PositionEncoding::Utf16 if within < self.last.0 => {
                to_line_col(self.rope, start + within, self.encoding).col as usize
            }
            PositionEncoding::Utf16 => {
                let (from, col_at_from) = self.last;
                let piece = &text[from..within];
                col_at_from
                    + if piece.is_ascii() {
                        piece.len()
                    } else {
                        piece.encode_utf16().count()
                    }
            }
        };
        self.last = (within, col);
        LineCol {
            line: u32::try_from(*line).unwrap_or(u32::MAX),
            col: u32::try_from(col).unwrap_or(u32::MAX),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn norwegian_letters_and_emoji_round_trip_in_both_encodings() {
        let rope = Rope::from_str("Personvern\nÆøå 😀 opplysningene\r\nslutt");
        // "Æøå 😀 " is 7 UTF-16 units and 11 bytes before "opplysningene".
        let byte = 11 + "Æøå 😀 ".len();
        assert_eq!(
            to_line_col(&rope, byte, PositionEncoding::Utf16),
            LineCol { line: 1, col: 7 }
        );
        assert_eq!(
            to_line_col(&rope, byte, PositionEncoding::Utf8),
            LineCol { line: 1, col: 12 }
        );
        assert_eq!(
            to_byte(&rope, LineCol { line: 1, col: 7 }, PositionEncoding::Utf16),
            byte
        );
        assert_eq!(
            to_byte(&rope, LineCol { line: 1, col: 12 }, PositionEncoding::Utf8),
            byte
        );
    }

    #[test]
    fn positions_past_the_end_clamp() {
        let rope = Rope::from_str("ab\r\ncd");
        assert_eq!(
            to_byte(&rope, LineCol { line: 0, col: 99 }, PositionEncoding::Utf16),
            2
        );
        assert_eq!(
            to_byte(&rope, LineCol { line: 9, col: 0 }, PositionEncoding::Utf16),
            6
        );
        assert_eq!(
            to_line_col(&rope, 999, PositionEncoding::Utf16),
            LineCol { line: 1, col: 2 }
        );
    }

    #[test]
    fn a_column_inside_a_surrogate_pair_maps_to_the_character_start() {
        let rope = Rope::from_str("a😀b");
        assert_eq!(
            to_byte(&rope, LineCol { line: 0, col: 2 }, PositionEncoding::Utf16),
            1
        );
        assert_eq!(
            to_byte(&rope, LineCol { line: 0, col: 3 }, PositionEncoding::Utf16),
            5
        );
        // Inside the 4-byte UTF-8 sequence.
        assert_eq!(
            to_byte(&rope, LineCol { line: 0, col: 3 }, PositionEncoding::Utf8),
            1
        );
    }

    #[test]
    fn line_positions_agree_with_to_line_col_at_every_offset_in_any_order() {
        let texts = [
            "",
            "abc",
            "ab\r\ncd\rе\n\nÆøå 😀 x\u{2028}y\n",
            "😀\n\r\n\r😀a",
            "line one\nline two without break",
        ];
        for text in texts {
            let rope = Rope::from_str(text);
            for encoding in [PositionEncoding::Utf16, PositionEncoding::Utf8] {
                let mut positions = LinePositions::new(&rope, encoding);
                let forward: Vec<usize> = (0..=text.len() + 2).collect();
                let backward: Vec<usize> = forward.iter().rev().copied().collect();
                let zigzag: Vec<usize> =
                    forward.iter().map(|b| (b * 7) % (text.len() + 3)).collect();
                for byte in forward.iter().chain(&backward).chain(&zigzag) {
                    assert_eq!(
                        positions.line_col(*byte),
                        to_line_col(&rope, *byte, encoding),
                        "{text:?} at {byte} in {encoding:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn u2028_is_not_a_line_break() {
        let rope = Rope::from_str("a\u{2028}b\nc");
        assert_eq!(rope.len_lines(), 2);
    }
}
