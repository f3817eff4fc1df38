//! A backtracking matcher for lexicon pattern lists: the matches a list's regex reports
//! (leftmost-first and non-overlapping, as `find_iter` gives them), without building an
//! automaton.
//!
//! Compiling a list's regex (Thompson NFAs, forward and reverse) and growing its lazy DFA on
//! the first searches were most of the server's cold start. Here each pattern's expression
//! becomes a short program of byte instructions, built in microseconds. A search tries the
//! patterns at each position where one can start, in list order, with a depth-first search
//! that takes the expression's alternatives in the regex's order of preference: greedy
//! repetitions longest first, alternatives left to right. The first match found at the
//! leftmost position is therefore the match the regex reports.
//!
//! Invariants:
//! - on any text, the same match ranges as the regex, or [`TooComplex`] when a search would
//!   need more than [`MAX_VISITED`] memo entries (the caller then asks the regex);
//! - bounded work: a branch point (instruction and position) is explored at most once per
//!   search, so a search costs at most the program's length times the text's;
//! - expressions outside the supported subset are refused when compiled: Unicode classes,
//!   look-arounds other than ASCII word boundaries and the text's ends, lazy repetitions of
//!   more than one byte, patterns that can match the empty string, lists of more than 64
//!   patterns.

use std::cell::RefCell;
use std::ops::Range;

use regex_syntax::hir::{Class, Hir, HirKind, Look, Repetition};
use rustc_hash::FxHashSet;

use super::word_search::{is_word, word_boundary};

/// The most memo entries one search may use before it gives up (about 4 MB).
pub const MAX_VISITED: usize = 1 << 18;

/// The most patterns a list may have: a position's candidates are the bits of a `u64`.
const MAX_PATTERNS: usize = 64;

/// The longest program compiled (repetitions are written out).
const MAX_INSTRUCTIONS: usize = 1 << 16;

/// A search gave up: it would have needed more than [`MAX_VISITED`] memo entries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooComplex;

/// A set of bytes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct ByteSet([u64; 4]);

impl ByteSet {
    fn insert(&mut self, byte: u8) {
        self.0[usize::from(byte >> 6)] |= 1 << (byte & 63);
    }

    fn contains(&self, byte: u8) -> bool {
        self.0[usize::from(byte >> 6)] >> (byte & 63) & 1 == 1
    }

    fn union(&mut self, other: &ByteSet) {
        for (mine, theirs) in self.0.iter_mut().zip(other.0) {
            *mine |= theirs;
        }
    }

    fn is_subset_of(&self, other: &ByteSet) -> bool {
        self.0
            .iter()
            .zip(other.0)
            .all(|(mine, theirs)| mine & !theirs == 0)
    }

    /// The word bytes of regex `\w` over ASCII.
    fn word_bytes() -> ByteSet {
        let mut set = ByteSet::default();
        for byte in 0..=u8::MAX {
            if is_word(byte) {
                set.insert(byte);
            }
        }
        set
    }
}

/// A condition on a position, consuming nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Assertion {
    /// `\b` over ASCII: a word byte on exactly one side.
    WordBoundary,
    /// `\B` over ASCII.
    NotWordBoundary,
    /// The start of the text.
    Start,
    /// The end of the text.
    End,
}

/// One instruction of a program.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Inst {
    /// These bytes, in order: `len` bytes of the byte pool from `start`.
    Literal { start: u32, len: u32 },
    /// One byte of set `set`.
    Byte { set: u32 },
    /// From `min` to `max` bytes of set `set`, as many as possible first.
    Repeat { set: u32, min: u32, max: u32 },
    /// A condition on the position.
    Assert(Assertion),
    /// Go on at `prefer`; if that fails, at `other`.
    Split { prefer: u32, other: u32 },
    /// Go on at this instruction.
    Jump(u32),
    /// A match ends here.
    Match,
}

/// A list of patterns compiled for [`ListProgram::find_all`].
#[derive(Debug)]
pub struct ListProgram {
    insts: Vec<Inst>,
    bytes: Vec<u8>,
    sets: Vec<ByteSet>,
    /// Where each pattern's instructions start, in list order.
    starts: Vec<u32>,
    /// For each byte, the patterns (bits, in list order) whose matches can start with it.
    by_first_byte: Box<[u64; 256]>,
    /// Whether every pattern starts with `\b` and a word byte, so that a match can start
    /// only where a word does.
    word_starts_only: bool,
}

/// Translates expressions into one program.
struct Compiler {
    insts: Vec<Inst>,
    bytes: Vec<u8>,
    sets: Vec<ByteSet>,
}

impl Compiler {
    fn next(&self) -> u32 {
        self.insts.len() as u32
    }

    fn emit(&mut self, inst: Inst) -> Option<u32> {
        if self.insts.len() >= MAX_INSTRUCTIONS {
            return None;
        }
        self.insts.push(inst);
        Some(self.next() - 1)
    }

    fn set(&mut self, set: ByteSet) -> u32 {
        match self.sets.iter().position(|known| *known == set) {
            Some(index) => index as u32,
            None => {
                self.sets.push(set);
                self.sets.len() as u32 - 1
            }
        }
    }

    /// Sets the targets of a placeholder instruction emitted earlier.
    fn patch(&mut self, at: u32, inst: Inst) {
        if let Some(slot) = self.insts.get_mut(at as usize) {
            *slot = inst;
        }
    }

    fn expression(&mut self, hir: &Hir) -> Option<()> {
        match hir.kind() {
            HirKind::Empty => {}
            HirKind::Literal(literal) => {
                let start = u32::try_from(self.bytes.len()).ok()?;
                let len = u32::try_from(literal.0.len()).ok()?;
                self.bytes.extend_from_slice(&literal.0);
                self.emit(Inst::Literal { start, len })?;
            }
            HirKind::Class(class) => {
                let set = self.set(byte_set(class)?);
                self.emit(Inst::Byte { set })?;
            }
            HirKind::Look(look) => {
                self.emit(Inst::Assert(assertion(*look)?))?;
            }
            HirKind::Repetition(repetition) => self.repetition(repetition)?,
            HirKind::Capture(capture) => self.expression(&capture.sub)?,
            HirKind::Concat(parts) => {
                for part in parts {
                    self.expression(part)?;
                }
            }
            HirKind::Alternation(branches) => {
                let mut jumps = Vec::new();
                let last = branches.len().saturating_sub(1);
                for (index, branch) in branches.iter().enumerate() {
                    if index == last {
                        self.expression(branch)?;
                        continue;
                    }
                    let split = self.emit(Inst::Match)?;
                    self.expression(branch)?;
                    jumps.push(self.emit(Inst::Match)?);
                    let other = self.next();
                    self.patch(
                        split,
                        Inst::Split {
                            prefer: split + 1,
                            other,
                        },
                    );
                }
                let end = self.next();
                for jump in jumps {
                    self.patch(jump, Inst::Jump(end));
                }
            }
        }
        Some(())
    }

    fn repetition(&mut self, repetition: &Repetition) -> Option<()> {
        let Repetition {
            min,
            max,
            greedy,
            sub,
        } = repetition;
        let (min, greedy) = (*min, *greedy);
        if greedy {
            if let Some(set) = single_byte_set(sub) {
                let set = self.set(set);
                self.emit(Inst::Repeat {
                    set,
                    min,
                    max: max.unwrap_or(u32::MAX),
                })?;
                return Some(());
            }
        }
        // Written out as the regex's Thompson compiler writes them, so that alternatives come
        // in the same order.
        let choice = |body: u32, exit: u32| {
            if greedy {
                Inst::Split {
                    prefer: body,
                    other: exit,
                }
            } else {
                Inst::Split {
                    prefer: exit,
                    other: body,
                }
            }
        };
        let Some(max) = *max else {
            let never_empty = sub.properties().minimum_len().is_some_and(|len| len > 0);
            if min == 0 && never_empty {
                // `x*`: a split that `x` loops back to.
                let split = self.emit(Inst::Match)?;
                self.expression(sub)?;
                self.emit(Inst::Jump(split))?;
                let exit = self.next();
                self.patch(split, choice(split + 1, exit));
                return Some(());
            }
            // `x{n,}` is `n - 1` copies, then one that repeats itself; `x*` where `x` can
            // match nothing is `(?:x+)?` (a loop back to the split it came from would take
            // an empty `x` for a dead end).
            let enter = if min == 0 {
                Some(self.emit(Inst::Match)?)
            } else {
                for _ in 1..min {
                    self.expression(sub)?;
                }
                None
            };
            let body = self.next();
            self.expression(sub)?;
            let again = self.emit(Inst::Match)?;
            let exit = self.next();
            self.patch(again, choice(body, exit));
            if let Some(enter) = enter {
                self.patch(enter, choice(body, exit));
            }
            return Some(());
        };
        // `min` copies, then optional copies each nested in the one before: `x{1,3}` is
        // `x(?:x(?:x)?)?`.
        for _ in 0..min {
            self.expression(sub)?;
        }
        let mut splits = Vec::new();
        for _ in min..max {
            splits.push(self.emit(Inst::Match)?);
            self.expression(sub)?;
        }
        let exit = self.next();
        for split in splits {
            self.patch(split, choice(split + 1, exit));
        }
        Some(())
    }
}

/// The bytes of a class, if it is a byte class or a Unicode class within ASCII.
fn byte_set(class: &Class) -> Option<ByteSet> {
    let mut set = ByteSet::default();
    match class {
        Class::Bytes(bytes) => {
            for range in bytes.ranges() {
                for byte in range.start()..=range.end() {
                    set.insert(byte);
                }
            }
        }
        Class::Unicode(chars) => {
            for range in chars.ranges() {
                let start = u8::try_from(u32::from(range.start())).ok()?;
                let end = u8::try_from(u32::from(range.end())).ok()?;
                if !end.is_ascii() {
                    return None;
                }
                for byte in start..=end {
                    set.insert(byte);
                }
            }
        }
    }
    Some(set)
}

/// The bytes an expression of exactly one byte matches.
fn single_byte_set(hir: &Hir) -> Option<ByteSet> {
    match hir.kind() {
        HirKind::Class(class) => byte_set(class),
        HirKind::Literal(literal) if literal.0.len() == 1 => {
            let mut set = ByteSet::default();
            set.insert(literal.0[0]);
            Some(set)
        }
        _ => None,
    }
}

fn assertion(look: Look) -> Option<Assertion> {
    Some(match look {
        Look::WordAscii => Assertion::WordBoundary,
        Look::WordAsciiNegate => Assertion::NotWordBoundary,
        Look::Start => Assertion::Start,
        Look::End => Assertion::End,
        _ => return None,
    })
}

/// What can begin a match from an instruction.
struct Beginning {
    /// The bytes a match's first byte can be.
    first: ByteSet,
    /// Whether a match can end without consuming a byte.
    empty: bool,
}

impl ListProgram {
    /// Compiles a list of patterns, each an expression; `None` when one is outside the
    /// supported subset (see the module's invariants), or the list is empty.
    pub fn compile(patterns: &[Hir]) -> Option<ListProgram> {
        if patterns.is_empty() || patterns.len() > MAX_PATTERNS {
            return None;
        }
        let mut compiler = Compiler {
            insts: Vec::new(),
            bytes: Vec::new(),
            sets: Vec::new(),
        };
        let mut starts = Vec::with_capacity(patterns.len());
        for pattern in patterns {
            starts.push(compiler.next());
            compiler.expression(pattern)?;
            compiler.emit(Inst::Match)?;
        }
        let mut program = ListProgram {
            insts: compiler.insts,
            bytes: compiler.bytes,
            sets: compiler.sets,
            starts,
            by_first_byte: Box::new([0; 256]),
            word_starts_only: true,
        };
        let word_bytes = ByteSet::word_bytes();
        for (index, start) in program.starts.iter().enumerate() {
            let beginning = program.beginning(*start);
            if beginning.empty {
                return None;
            }
            for byte in 0..=u8::MAX {
                if beginning.first.contains(byte) {
                    program.by_first_byte[usize::from(byte)] |= 1 << index;
                }
            }
            let at_boundary = matches!(
                program.insts.get(*start as usize),
                Some(Inst::Assert(Assertion::WordBoundary))
            );
            program.word_starts_only &= at_boundary && beginning.first.is_subset_of(&word_bytes);
        }
        Some(program)
    }

    /// What can begin a match that starts at instruction `start`.
    fn beginning(&self, start: u32) -> Beginning {
        let mut beginning = Beginning {
            first: ByteSet::default(),
            empty: false,
        };
        let mut seen = vec![false; self.insts.len()];
        let mut pending = vec![start];
        while let Some(pc) = pending.pop() {
            let Some(inst) = self.insts.get(pc as usize) else {
                continue;
            };
            if std::mem::replace(&mut seen[pc as usize], true) {
                continue;
            }
            match *inst {
                Inst::Literal { start, len } => match self.bytes.get(start as usize) {
                    Some(byte) if len > 0 => beginning.first.insert(*byte),
                    _ => pending.push(pc + 1),
                },
                Inst::Byte { set } => beginning.first.union(&self.sets[set as usize]),
                Inst::Repeat { set, min, max } => {
                    if max > 0 {
                        beginning.first.union(&self.sets[set as usize]);
                    }
                    if min == 0 {
                        pending.push(pc + 1);
                    }
                }
                Inst::Assert(_) => pending.push(pc + 1),
                Inst::Split { prefer, other } => pending.extend([other, prefer]),
                Inst::Jump(target) => pending.push(target),
                Inst::Match => beginning.empty = true,
            }
        }
        beginning
    }

    /// Every match in `haystack`, leftmost-first and non-overlapping, as the list's regex
    /// would report them with `find_iter`.
    pub fn find_all(&self, haystack: &[u8]) -> Result<Vec<Range<usize>>, TooComplex> {
        if u32::try_from(haystack.len()).is_err() {
            return Err(TooComplex);
        }
        SCRATCH.with(|cell| match cell.try_borrow_mut() {
            Ok(mut scratch) => self.search(haystack, &mut scratch),
            Err(_) => self.search(haystack, &mut Scratch::default()),
        })
    }

    fn search(
        &self,
        haystack: &[u8],
        scratch: &mut Scratch,
    ) -> Result<Vec<Range<usize>>, TooComplex> {
        scratch.reset();
        let mut found = Vec::new();
        let mut from = 0;
        while let Some(matched) = self.find_from(haystack, from, scratch)? {
            // A state explored on the way to a match has not failed: forget them all.
            scratch.reset();
            // Matches are never empty (refused when compiled), so the search moves on.
            from = matched.end;
            found.push(matched);
        }
        Ok(found)
    }

    /// The leftmost match starting at or after `from`.
    fn find_from(
        &self,
        haystack: &[u8],
        from: usize,
        scratch: &mut Scratch,
    ) -> Result<Option<Range<usize>>, TooComplex> {
        let mut previous_is_word = from
            .checked_sub(1)
            .and_then(|i| haystack.get(i))
            .is_some_and(|b| is_word(*b));
        for (start, byte) in haystack.iter().enumerate().skip(from) {
            let is_word_byte = is_word(*byte);
            let word_start = is_word_byte && !previous_is_word;
            previous_is_word = is_word_byte;
            if self.word_starts_only && !word_start {
                continue;
            }
            let mut candidates = self.by_first_byte[usize::from(*byte)];
            while candidates != 0 {
                let index = candidates.trailing_zeros() as usize;
                candidates &= candidates - 1;
                if let Some(end) = self.run(self.starts[index], start, haystack, scratch)? {
                    return Ok(Some(start..end));
                }
            }
        }
        Ok(None)
    }

    /// Where a match of the pattern at instruction `pc` that starts at `start` ends, taking
    /// alternatives in order of preference.
    fn run(
        &self,
        pc: u32,
        start: usize,
        haystack: &[u8],
        scratch: &mut Scratch,
    ) -> Result<Option<usize>, TooComplex> {
        scratch.stack.clear();
        scratch.stack.push(Frame::Step { pc, at: start });
        while let Some(frame) = scratch.stack.pop() {
            let (mut pc, mut at) = match frame {
                Frame::Step { pc, at } => (pc, at),
                Frame::Shorter { next, fewest, at } => {
                    if at > fewest {
                        scratch.stack.push(Frame::Shorter {
                            next,
                            fewest,
                            at: at - 1,
                        });
                    }
                    if !scratch.visit(next, at, Visit::AfterRepeat)? {
                        continue;
                    }
                    (next, at)
                }
            };
            while let Some(inst) = self.insts.get(pc as usize) {
                match *inst {
                    Inst::Match => return Ok(Some(at)),
                    Inst::Literal { start, len } => {
                        let literal = &self.bytes[start as usize..(start + len) as usize];
                        if !haystack
                            .get(at..)
                            .is_some_and(|rest| rest.starts_with(literal))
                        {
                            break;
                        }
                        at += literal.len();
                        pc += 1;
                    }
                    Inst::Byte { set } => {
                        if !haystack
                            .get(at)
                            .is_some_and(|b| self.sets[set as usize].contains(*b))
                        {
                            break;
                        }
                        at += 1;
                        pc += 1;
                    }
                    Inst::Repeat { set, min, max } => {
                        let set = &self.sets[set as usize];
                        let rest = haystack.get(at..).unwrap_or_default();
                        let count = rest
                            .iter()
                            .take(max as usize)
                            .take_while(|b| set.contains(**b))
                            .count();
                        let fewest = at + min as usize;
                        if count < min as usize {
                            break;
                        }
                        at += count;
                        pc += 1;
                        if at > fewest {
                            scratch.stack.push(Frame::Shorter {
                                next: pc,
                                fewest,
                                at: at - 1,
                            });
                        }
                        if !scratch.visit(pc, at, Visit::AfterRepeat)? {
                            break;
                        }
                    }
                    Inst::Assert(assertion) => {
                        let holds = match assertion {
                            Assertion::WordBoundary => word_boundary(haystack, at),
                            Assertion::NotWordBoundary => !word_boundary(haystack, at),
                            Assertion::Start => at == 0,
                            Assertion::End => at == haystack.len(),
                        };
                        if !holds {
                            break;
                        }
                        pc += 1;
                    }
                    Inst::Split { prefer, other } => {
                        if !scratch.visit(pc, at, Visit::Split)? {
                            break;
                        }
                        scratch.stack.push(Frame::Step { pc: other, at });
                        pc = prefer;
                    }
                    Inst::Jump(target) => pc = target,
                }
            }
        }
        Ok(None)
    }
}

/// An alternative left to try.
#[derive(Debug, Clone, Copy)]
enum Frame {
    /// Go on at instruction `pc`, position `at`.
    Step { pc: u32, at: usize },
    /// After a repetition: go on at instruction `next` from position `at`, then from each
    /// position before it down to `fewest`.
    Shorter { next: u32, fewest: usize, at: usize },
}

/// The kinds of memoised states, kept apart because a repetition's continuation can itself be
/// a branch point.
#[derive(Debug, Clone, Copy)]
enum Visit {
    Split = 0,
    AfterRepeat = 1,
}

/// A search's working memory, kept per thread so that searches do not allocate.
#[derive(Debug, Default)]
struct Scratch {
    /// States (instruction, position, kind) already explored in this search.
    visited: FxHashSet<u64>,
    stack: Vec<Frame>,
}

impl Scratch {
    fn reset(&mut self) {
        if self.visited.capacity() > MAX_VISITED / 4 {
            self.visited = FxHashSet::default();
        } else if !self.visited.is_empty() {
            self.visited.clear();
        }
    }

    /// Marks a state explored; false when it already was.
    fn visit(&mut self, pc: u32, at: usize, kind: Visit) -> Result<bool, TooComplex> {
        if self.visited.len() >= MAX_VISITED {
            return Err(TooComplex);
        }
        let key = (u64::from(pc) << 33) | ((kind as u64) << 32) | at as u64;
        Ok(self.visited.insert(key))
    }
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn parse(pattern: &str) -> Hir {
        regex_syntax::ParserBuilder::new()
            .unicode(false)
            .build()
            .parse(pattern)
            .unwrap_or_else(|e| panic!("{pattern}: {e}"))
    }

    /// The regex's matches of the patterns as one alternation.
    fn regex_matches(patterns: &[&str], haystack: &str) -> Vec<Range<usize>> {
        let hirs: Vec<Hir> = patterns.iter().map(|p| parse(p)).collect();
        let regex = regex_automata::meta::Regex::builder()
            .build_from_hir(&Hir::alternation(hirs))
            .unwrap_or_else(|e| panic!("{patterns:?}: {e}"));
        regex.find_iter(haystack).map(|m| m.range()).collect()
    }

    fn program_matches(patterns: &[&str], haystack: &str) -> Option<Vec<Range<usize>>> {
        let hirs: Vec<Hir> = patterns.iter().map(|p| parse(p)).collect();
        ListProgram::compile(&hirs).map(|p| p.find_all(haystack.as_bytes()).expect("simple"))
    }

    #[test]
    fn preference_order_is_the_regex_order() {
        let cases: &[(&[&str], &str)] = &[
            // The first pattern that matches at the leftmost position wins, even if shorter.
            (&[r"\bab", r"\babc"], "abc abc"),
            (&[r"\babc", r"\bab"], "xab abc"),
            // Greedy repetitions take as much as still lets the rest match.
            (&[r"\ba\w*b\b"], "axxbxxb ab"),
            (&[r"\ba(?:[ ]+\w+){0,3}[ ]+b\b"], "a x b y b z b w b"),
            // Lazy repetitions take as little.
            (&[r"\ba(?:[ ]+\w+){0,3}?[ ]+b\b"], "a x b y b z b"),
            (&[r"a(?:bc)+?"], "abcbc"),
            (&[r"a(?:bc)*c?"], "abcbcc"),
            // Alternatives inside a pattern, in order.
            (&[r"\b(?:ab|abc)\b"], "abc ab"),
            (&[r"\b(?:a|ab)(?:c|bcd)"], "abcd"),
            // Hyphens may be words or separators.
            (&[r"\ba(?:[ -]+[\w-]+){0,2}[ -]+b\b"], "a x-y-z b a - b"),
            (&[r"^a", r"b$", r"\Bc"], "ab ac ab"),
        ];
        for (patterns, haystack) in cases {
            assert_eq!(
                program_matches(patterns, haystack),
                Some(regex_matches(patterns, haystack)),
                "{patterns:?} on {haystack:?}"
            );
        }
        assert_eq!(
            program_matches(&[r"\bab", r"\babc"], "abc abc"),
            Some(vec![0..2, 4..6])
        );
    }

    #[test]
    fn unsupported_expressions_are_refused() {
        for pattern in [r"a*", r"(?:)", r"\b", r"(?-u:\b{start})a", r"a|"] {
            assert!(
                ListProgram::compile(&[parse(pattern)]).is_none(),
                "{pattern}"
            );
        }
        let unicode = regex_syntax::ParserBuilder::new()
            .build()
            .parse(r"\w")
            .expect("parses");
        assert!(ListProgram::compile(&[unicode]).is_none());
        let many: Vec<Hir> = (0..=MAX_PATTERNS).map(|_| parse("a")).collect();
        assert!(ListProgram::compile(&many).is_none());
        assert!(ListProgram::compile(&many[..MAX_PATTERNS]).is_some());
        assert!(ListProgram::compile(&[]).is_none());
    }

    #[test]
    fn exponential_backtracking_is_bounded() {
        // Each hyphen can end a gap word or be a separator: without the memo this explores
        // every way to split the chain into up to ten words.
        let pattern = r"\ba(?:[ -]+[\w-]+){0,10}[ -]+b\b";
        let chain = format!("a {}", "x-".repeat(2000));
        assert_eq!(program_matches(&[pattern], &chain), Some(vec![]));
        let found = format!("{chain} b");
        assert_eq!(
            program_matches(&[pattern], &found),
            Some(regex_matches(&[pattern], &found))
        );
        // A search that outgrows the memo says so instead of growing without bound.
        let wide = r"\ba(?:[ -]+[\w-]+){0,200}[ -]+b\b";
        let program = ListProgram::compile(&[parse(wide)]).expect("compiles");
        let long = format!("a {}", "x-".repeat(4000));
        assert_eq!(program.find_all(long.as_bytes()), Err(TooComplex));
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]
        /// Random expressions over a small alphabet find what the regex finds, on random text.
        #[test]
        fn agrees_with_the_regex(
            patterns in proptest::collection::vec(
                proptest::collection::vec(
                    prop_oneof![
                        Just("a"), Just("b"), Just("-"), Just(" "), Just(r"\b"), Just("(?:"),
                        Just("("), Just(")"), Just("|"), Just("?"), Just("*"), Just("+"),
                        Just("{0,2}"), Just("{1,3}?"), Just("??"), Just("[ab]"), Just(r"[\w-]"),
                        Just(r"\w"), Just("[ -]+"), Just(r"\B"), Just("^"), Just("$"),
                    ],
                    1..10,
                ).prop_map(|pieces| pieces.concat()),
                1..4,
            ),
            haystack in "[ab -]{0,24}",
        ) {
            let parsed: Option<Vec<Hir>> = patterns
                .iter()
                .map(|p| regex_syntax::ParserBuilder::new().unicode(false).build().parse(p).ok())
                .collect();
            let Some(hirs) = parsed else { return Ok(()) };
            let Some(program) = ListProgram::compile(&hirs) else { return Ok(()) };
            let regex = regex_automata::meta::Regex::builder()
                .build_from_hir(&Hir::alternation(hirs))
                .expect("parsed expressions compile");
            let theirs: Vec<Range<usize>> =
                regex.find_iter(&haystack).map(|m| m.range()).collect();
            prop_assert_eq!(
                program.find_all(haystack.as_bytes()),
                Ok(theirs),
                "{:?} on {:?}",
                patterns,
                haystack
            );
        }
    }
}
