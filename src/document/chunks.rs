//! Where a document may be cut into independently parsed chunks.
//!
//! A chunk boundary is proposed at the start of a line that follows a blank line, begins in
//! column 0 with a letter, a digit (not a list marker) or `#`, and lies outside any fenced code
//! block, raw HTML block or front matter that a line scanner can see. Markdown closes every
//! other open block at such a line, so parsing the pieces one by one gives the same blocks as
//! parsing the whole text. The few cases a line scanner cannot see (a fence inside a list item,
//! say) are caught after parsing by [`super::syntax::ends_open`].
//!
//! Invariant: the proposals for a text depend only on that text, and the scanner is in its
//! initial state at every proposal, so scanning may restart at any proposal.

use super::syntax::html_raw_block_end;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Open {
    Nothing,
    Fence { marker: u8, len: usize },
    Html(&'static str),
    FrontMatter(u8),
}

fn is_list_marker(line: &str) -> bool {
    let digits = line.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 || digits > 9 {
        return false;
    }
    let rest = &line.as_bytes()[digits..];
    matches!(rest.first(), Some(b'.' | b')'))
        && matches!(rest.get(1), None | Some(b' ' | b'\t' | b'\r' | b'\n'))
}

/// Whether a chunk may begin with `line` (given that the line before it is blank).
fn is_safe_start(line: &str) -> bool {
    match line.chars().next() {
        Some('#') => true,
        Some(c) if c.is_ascii_digit() => !is_list_marker(line),
        Some(c) => c.is_alphabetic(),
        None => false,
    }
}

/// `line` without its indentation, if that is at most three spaces (deeper is code).
fn unindented(line: &str) -> Option<&str> {
    let trimmed = line.trim_start_matches(' ');
    (line.len() - trimmed.len() <= 3).then_some(trimmed)
}

/// The fence that `line` opens, if any: (marker byte, length).
fn fence_opener(line: &str) -> Option<(u8, usize)> {
    let trimmed = unindented(line)?;
    let marker = *trimmed.as_bytes().first()?;
    if marker != b'`' && marker != b'~' {
        return None;
    }
    let len = trimmed.bytes().take_while(|b| *b == marker).count();
    if len < 3 {
        return None;
    }
    if marker == b'`' && trimmed[len..].contains('`') {
        return None;
    }
    Some((marker, len))
}

fn closes_fence(line: &str, marker: u8, len: usize) -> bool {
    let Some(trimmed) = unindented(line) else {
        return false;
    };
    let run = trimmed.bytes().take_while(|b| *b == marker).count();
    run >= len && trimmed[run..].trim().is_empty()
}

/// The lines of `text` with their line breaks, which may be `\n`, `\r\n` or a lone `\r`
/// (tree-sitter-md ends a line at each of them).
fn lines_with_breaks(text: &str) -> impl Iterator<Item = &str> {
    let bytes = text.as_bytes();
    let mut start = 0;
    std::iter::from_fn(move || {
        if start >= bytes.len() {
            return None;
        }
        let mut end = start;
        while end < bytes.len() && bytes[end] != b'\n' && bytes[end] != b'\r' {
            end += 1;
        }
        if end < bytes.len() {
            end += if bytes[end] == b'\r' && bytes.get(end + 1) == Some(&b'\n') {
                2
            } else {
                1
            };
        }
        let line = &text[start..end];
        start = end;
        Some(line)
    })
}

/// The marker (`-` or `+`) of the front matter that `line`, the document's first line, opens:
/// at most three spaces, exactly three markers, then only spaces or tabs. This is
/// tree-sitter-md's rule; a byte order mark before it is ignored.
fn front_matter_opener(line: &str) -> Option<u8> {
    let trimmed = unindented(line.strip_prefix('\u{feff}').unwrap_or(line))?;
    let marker = *trimmed.as_bytes().first()?;
    if marker != b'-' && marker != b'+' {
        return None;
    }
    closes_front_matter(trimmed, marker).then_some(marker)
}

/// Whether `line` closes front matter opened with `marker`: exactly three markers in column 0,
/// then only spaces or tabs.
fn closes_front_matter(line: &str, marker: u8) -> bool {
    let run = line.bytes().take_while(|b| *b == marker).count();
    run == 3 && line[run..].bytes().all(|b| b == b' ' || b == b'\t')
}

/// Byte offsets in `text` where a new chunk may start (never 0), and whether the scanner ends
/// outside any fence, raw HTML block or front matter (only then may the text that follows
/// start a chunk). `at_document_start` says whether `text` begins the document, where front
/// matter may open.
pub fn split_points(text: &str, at_document_start: bool) -> (Vec<usize>, bool) {
    let mut points = Vec::new();
    let mut open = Open::Nothing;
    let mut previous_blank = false;
    let mut offset = 0;
    let mut first_line = true;
    for raw_line in lines_with_breaks(text) {
        let line = raw_line.trim_end_matches(['\n', '\r']);
        if offset > 0 && previous_blank && open == Open::Nothing && is_safe_start(line) {
            points.push(offset);
        }
        open = match open {
            Open::FrontMatter(marker) => {
                if closes_front_matter(line, marker) {
                    Open::Nothing
                } else {
                    open
                }
            }
            Open::Fence { marker, len } => {
                if closes_fence(line, marker, len) {
                    Open::Nothing
                } else {
                    open
                }
            }
            Open::Html(closer) => {
                if line.to_lowercase().contains(closer) {
                    Open::Nothing
                } else {
                    open
                }
            }
            Open::Nothing => {
                let front_matter = (first_line && at_document_start)
                    .then(|| front_matter_opener(line))
                    .flatten();
                if let Some(marker) = front_matter {
                    Open::FrontMatter(marker)
                } else if let Some((marker, len)) = fence_opener(line) {
                    Open::Fence { marker, len }
                } else if let Some((opener_len, closer)) = html_raw_block_end(line) {
                    let lower = line.trim_start_matches(' ').to_lowercase();
                    let after_opener = lower.get(opener_len..).unwrap_or("");
                    if after_opener.contains(closer) {
                        Open::Nothing
                    } else {
                        Open::Html(closer)
                    }
                } else {
                    Open::Nothing
                }
            }
        };
        previous_blank = line.trim().is_empty();
        offset += raw_line.len();
        first_line = false;
    }
    (points, open == Open::Nothing)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_between_paragraphs_and_before_headings() {
        let text = "Tittel\n\nAvsnitt en.\n\n# Rettigheter\n\n- punkt\n\n- punkt\n\n1. nummer\n";
        let (points, _) = split_points(text, true);
        let starts: Vec<&str> = points.iter().map(|p| &text[*p..*p + 3]).collect();
        assert_eq!(starts, vec!["Avs", "# R"]);
    }

    #[test]
    fn never_splits_inside_a_fence_a_comment_or_front_matter() {
        let text = "---\ntitle: x\n\nkey: y\n---\n\nTekst\n\n```\nkode\n\nmer kode\n```\n\nEtter\n\n<!--\n\nnotat\n-->\n\nSlutt\n";
        let (points, _) = split_points(text, true);
        let starts: Vec<&str> = points
            .iter()
            .map(|p| text[*p..].lines().next().unwrap_or(""))
            .collect();
        assert_eq!(starts, vec!["Tekst", "Etter", "Slutt"]);
    }

    #[test]
    fn front_matter_follows_tree_sitter_md() {
        // Indented up to three spaces, trailing blanks and a byte order mark open it.
        for opener in ["---", "   ---", "--- \t", "+++", "\u{feff}---"] {
            assert!(front_matter_opener(opener).is_some(), "{opener:?}");
        }
        for not_opener in ["    ---", "\t---", "----", "-- -", "---x", "++"] {
            assert!(front_matter_opener(not_opener).is_none(), "{not_opener:?}");
        }
        // Only exactly three markers in column 0 close it.
        assert!(closes_front_matter("--- ", b'-'));
        assert!(!closes_front_matter("----", b'-'));
        assert!(!closes_front_matter(" ---", b'-'));
        let text = " ---\ntitle: x\n\nTekst\n\n----\n\nMer\n---\n\nEtter\n";
        let (points, _) = split_points(text, true);
        assert_eq!(points, vec![text.find("Etter").unwrap_or(0)]);
    }

    #[test]
    fn a_lone_carriage_return_ends_a_line() {
        let text = "```\rkode\r\rTekst\r```\r\rEtter\r";
        let (points, clean) = split_points(text, true);
        assert_eq!(points, vec![text.find("Etter").unwrap_or(0)]);
        assert!(clean);
    }

    #[test]
    fn list_markers_are_not_safe_starts_but_years_are() {
        assert!(!is_safe_start("2. punkt"));
        assert!(!is_safe_start("3) punkt"));
        assert!(is_safe_start("2024 var et år"));
        assert!(is_safe_start("Ærlig"));
        assert!(!is_safe_start("- punkt"));
        assert!(!is_safe_start("    kode"));
    }
}
