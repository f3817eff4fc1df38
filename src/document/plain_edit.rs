//! Which edits cannot change a document's Markdown block structure, so that the parse can be
//! skipped and the old tree moved over the edit instead.
//!
//! Markdown decides what a line is from its start (indentation, container markers, the first
//! characters of a block), from whole-line shapes (thematic breaks, setext underlines, fences,
//! table delimiter rows) and from a few characters anywhere in a line (table pipes and their
//! escapes, link reference definitions, raw HTML closers). An edit inside a paragraph line
//! without a pipe, that leaves the line's start up to and including its first letter alone,
//! and that neither adds nor removes a line break or one of those characters, keeps every
//! block as it was: only offsets move. The caller checks the rest: the block is a paragraph,
//! and the chunk scanner sees the same chunk.
//!
//! Invariant: [`keeps_blocks`] only answers `true` for such edits; a property test compares
//! every edit with a fresh parse.

/// Characters whose insertion or removal may change block structure even in mid-line.
const STRUCTURAL: &[char] = &[
    '\n', '\r', '|', '\\', '<', '>', '`', '~', '[', ']', ':', '\'', '"', '(', ')',
];

/// Characters that may stand before a line's first letter without deciding more than its
/// containers: indentation, block quote and list markers (tree-sitter-md's prefix set).
fn is_prefix_char(c: char) -> bool {
    matches!(
        c,
        ' ' | '\t' | '>' | '-' | '*' | '+' | '.' | ')' | '0'..='9'
    )
}

fn is_plain(text: &str) -> bool {
    !text
        .chars()
        .any(|c| STRUCTURAL.contains(&c) || (c.is_control() && c != '\t'))
}

/// Whether replacing `removed` with `inserted`, at the end of `line_before_edit` (the edited
/// line from its start up to the edit), keeps the block structure of a paragraph line.
/// `line` is the whole edited line before the edit: a pipe anywhere in it makes the line a
/// possible table header whose cells any letter may add to.
pub fn keeps_blocks(line: &str, line_before_edit: &str, removed: &str, inserted: &str) -> bool {
    if line.contains('|') {
        return false;
    }
    let Some((first_letter, _)) = line_before_edit
        .char_indices()
        .find(|(_, c)| c.is_alphabetic())
    else {
        return false;
    };
    line_before_edit[..first_letter].chars().all(is_prefix_char)
        && is_plain(removed)
        && is_plain(inserted)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typing_words_after_the_first_letter_keeps_blocks() {
        assert!(keeps_blocks("Vi deler", "Vi deler", "", " data"));
        assert!(keeps_blocks("- Navn", "- Navn", "", "ø"));
        assert!(keeps_blocks("> 2. Epost", "> 2. E", "po", "-post."));
    }

    #[test]
    fn line_starts_and_structural_characters_do_not() {
        // Before or at the first letter: list markers, headings, HTML.
        assert!(!keeps_blocks("1", "1", "", "0"));
        assert!(!keeps_blocks("#", "#", "", " "));
        assert!(!keeps_blocks("<a", "<a", "", " href"));
        assert!(!keeps_blocks("[foo", "[foo", "", "bar"));
        // A letter after a trailing pipe adds a table cell.
        assert!(!keeps_blocks(" b |", " b |", "", "a"));
        // Pipes, escapes, line breaks and link definition characters anywhere.
        for inserted in ["|", "\\", "\n", "]:", "'", "\0"] {
            assert!(
                !keeps_blocks("Tekst", "Tekst", "", inserted),
                "{inserted:?}"
            );
        }
        assert!(!keeps_blocks("Tekst\\", "Tekst", "\\", ""));
    }
}
