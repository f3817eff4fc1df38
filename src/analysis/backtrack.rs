//! A backtracking matcher for lexicon pattern lists: the matches a list's regex reports
//! (leftmost-first and non-overlapping, as `find_iter` gives them), without building an
//! automaton.
//!
//! Compiling a list's regex (Thompson NFAs, forward and reverse) and growing its lazy DFA on
//! the first searches were most of the server's cold start. Here each pattern's expression
//! becomes a short program of byte instructions, built in tens of microseconds per list. A
//! search tries the patterns at each position where one can start, in list order, with a
//! depth-first search that takes the expression's alternatives in the regex's order of
//! preference: greedy repetitions longest first, alternatives left to right. The first match
//! found at the leftmost position is therefore the match the regex reports.
//!
//! Invariants:
//! - on any text, the same match ranges as the regex, or [`TooComplex`] when a search would
//!   need more than [`MAX_VISITED`] memo entries (the caller then asks the regex);
//! - bounded work: between two matches, an alternative (instruction and position) is taken up
//!   from the stack at most once as a split's other branch and once as a repetition's shorter
//!   run, and each leads along one path of the program, so a search's work is polynomial in
//!   the program's length and the text's, never exponential;
//! - expressions outside the supported subset are refused when compiled: Unicode classes,
//!   look-arounds other than ASCII word boundaries and the text's ends, unbounded repetitions
//!   of something that can match nothing, patterns that can match the empty string, lists of
//!   more than 64 patterns. Without such loops the search has no cycle that consumes nothing,
//!   so memoising is only a saving: a state explored again has failed before.

use std::borrow::Cow;
use std::cell::RefCell;
use std::fmt::Write;
use std::ops::Range;

use regex_syntax::hir::{Class, Hir, HirKind, Look, Repetition};
use rustc_hash::FxHashSet;

use super::word_search::{is_word, word_boundary};

/// The most memo entries one search may use before it gives up (about 4 MB).
pub const MAX_VISITED: usize = 1 << 18;

/// The most patterns a list may have: a position's candidates are the bits of a `u64`.
const MAX_PATTERNS: usize = 64;

/// The memo capacity kept between searches (a typical block's search uses a few hundred).
const SMALL_MEMO: usize = 4096;

/// How many first bytes make a pattern broad (see [`ListProgram::required`]).
const BROAD_START: u32 = 8;

/// The longest program compiled (repetitions are written out).
const MAX_INSTRUCTIONS: usize = 1 << 16;

/// A search gave up: it would have needed more than [`MAX_VISITED`] memo entries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooComplex;

/// A text prepared for the searches of many lists: its bytes, and where its words start
/// (where most patterns can start).
#[derive(Debug, Clone)]
pub struct SearchText<'h> {
    text: &'h str,
    word_starts: Vec<usize>,
}

impl<'h> SearchText<'h> {
    /// Prepares `text`.
    pub fn new(text: &'h str) -> SearchText<'h> {
        let mut previous_is_word = false;
        let mut word_starts = Vec::new();
        for (at, byte) in text.as_bytes().iter().enumerate() {
            let is_word_byte = is_word(*byte);
            if is_word_byte && !previous_is_word {
                word_starts.push(at);
            }
            previous_is_word = is_word_byte;
        }
        SearchText { text, word_starts }
    }

    /// The text.
    pub fn as_str(&self) -> &'h str {
        self.text
    }
}

/// A set of bytes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct ByteSet([u64; 4]);

impl ByteSet {
    /// The set whose bits are `words` (bit `b % 64` of word `b / 64` for byte `b`).
    pub(crate) const fn from_words(words: [u64; 4]) -> ByteSet {
        ByteSet(words)
    }

    fn insert(&mut self, byte: u8) {
        self.0[usize::from(byte >> 6)] |= 1 << (byte & 63);
    }

    /// Inserts the bytes from `start` to `end`, both included, a word of 64 at a time.
    fn insert_range(&mut self, start: u8, end: u8) {
        let (start, end) = (u32::from(start), u32::from(end));
        for (index, word) in self.0.iter_mut().enumerate() {
            let low = index as u32 * 64;
            let (from, to) = (start.max(low), end.min(low + 63));
            if from > to {
                continue;
            }
            let width = to - from + 1;
            let bits = if width == 64 {
                u64::MAX
            } else {
                ((1u64 << width) - 1) << (from - low)
            };
            *word |= bits;
        }
    }

    fn contains(&self, byte: u8) -> bool {
        self.0[usize::from(byte >> 6)] >> (byte & 63) & 1 == 1
    }

    fn union(&mut self, other: &ByteSet) {
        for (mine, theirs) in self.0.iter_mut().zip(other.0) {
            *mine |= theirs;
        }
    }

    fn len(&self) -> u32 {
        self.0.iter().map(|word| word.count_ones()).sum()
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
pub(crate) enum Assertion {
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
pub(crate) enum Inst {
    /// These bytes, in order: `len` bytes of the byte pool from `start`.
    Literal { start: u32, len: u32 },
    /// One byte of set `set`.
    Byte { set: u32 },
    /// From `min` to `max` bytes of set `set`, as many as possible first. `whole_run` when
    /// the next instruction is `\b` and the set holds only word bytes: a shorter run ending
    /// inside the run cannot go on, so only the longest and the empty one are tried.
    Repeat {
        set: u32,
        min: u32,
        max: u32,
        whole_run: bool,
    },
    /// A condition on the position.
    Assert(Assertion),
    /// Go on at `prefer`; if that fails, at `other`.
    Split { prefer: u32, other: u32 },
    /// Go on at this instruction.
    Jump(u32),
    /// A match ends here.
    Match,
}

/// A list of patterns compiled for [`ListProgram::find_all`]. Its tables are borrowed from
/// the binary when `build.rs` compiled the list ([`ListProgram::from_static`]), and owned when
/// it was compiled at run time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListProgram {
    insts: Cow<'static, [Inst]>,
    bytes: Cow<'static, [u8]>,
    sets: Cow<'static, [ByteSet]>,
    /// Where each pattern's instructions start, in list order.
    starts: Cow<'static, [u32]>,
    /// For each byte, the patterns (bits, in list order) whose matches can start with it.
    by_first_byte: Cow<'static, [u64; 256]>,
    /// For each byte (and 256 for the text's end), the patterns whose matches can have it
    /// second.
    by_second_byte: Cow<'static, [u64; 257]>,
    /// Whether every pattern starts with `\b` and a word byte, so that a match can start
    /// only where a word does.
    word_starts_only: bool,
    /// Patterns that can start with many bytes, each with a literal (a range of the byte
    /// pool) that every match of it contains: a search leaves out those whose literal the
    /// text lacks, instead of trying them at every word.
    required: Cow<'static, [(u32, Range<usize>)]>,
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
                    whole_run: false,
                })?;
                return Some(());
            }
        }
        // Written out as the regex's Thompson compiler writes them, so that alternatives come
        // in the same order.
        let choice = |body: u32, exit: u32| {
            let (prefer, other) = if greedy { (body, exit) } else { (exit, body) };
            Inst::Split { prefer, other }
        };
        let Some(max) = *max else {
            // A loop whose body can match nothing is refused: the regex's engines take an
            // empty pass through it in an order a plain depth-first search does not follow.
            if sub.properties().minimum_len().is_none_or(|len| len == 0) {
                return None;
            }
            if min == 0 {
                // `x*`: a split that `x` loops back to.
                let split = self.emit(Inst::Match)?;
                self.expression(sub)?;
                self.emit(Inst::Jump(split))?;
                let exit = self.next();
                self.patch(split, choice(split + 1, exit));
                return Some(());
            }
            // `x{n,}`: `n - 1` copies, then one that repeats itself.
            for _ in 1..min {
                self.expression(sub)?;
            }
            let body = self.next();
            self.expression(sub)?;
            let again = self.emit(Inst::Match)?;
            let exit = self.next();
            self.patch(again, choice(body, exit));
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
                set.insert_range(range.start(), range.end());
            }
        }
        Class::Unicode(chars) => {
            for range in chars.ranges() {
                let start = u8::try_from(u32::from(range.start())).ok()?;
                let end = u8::try_from(u32::from(range.end())).ok()?;
                if !end.is_ascii() {
                    return None;
                }
                set.insert_range(start, end);
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

/// The bytes that can come first (or second) in a match from an instruction on.
#[derive(Debug, Clone, Copy, Default)]
struct Lookahead {
    /// The bytes it can be.
    bytes: ByteSet,
    /// Whether the match can end there instead (before the text's end, or at it).
    may_end: bool,
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
        let word_bytes = ByteSet::word_bytes();
        let mut insts = compiler.insts;
        for at in 0..insts.len() {
            let next = insts.get(at + 1).copied();
            if let Some(Inst::Repeat { set, whole_run, .. }) = insts.get_mut(at) {
                *whole_run = next == Some(Inst::Assert(Assertion::WordBoundary))
                    && compiler.sets[*set as usize].is_subset_of(&word_bytes);
            }
        }
        let mut program = ListProgram {
            insts: Cow::Owned(insts),
            bytes: Cow::Owned(compiler.bytes),
            sets: Cow::Owned(compiler.sets),
            starts: Cow::Owned(starts),
            by_first_byte: Cow::Owned([0; 256]),
            by_second_byte: Cow::Owned([0; 257]),
            word_starts_only: true,
            required: Cow::Owned(Vec::new()),
        };
        for index in 0..program.starts.len() {
            let start = program.starts[index];
            let (steps, empty) = program.first_steps(start);
            if empty {
                return None;
            }
            let first = program.first_bytes(&steps);
            let second = program.second_bytes(&steps);
            let bit = 1u64 << index;
            // Owned while compiling: `to_mut` writes in place.
            let (by_first_byte, by_second_byte) = (
                program.by_first_byte.to_mut(),
                program.by_second_byte.to_mut(),
            );
            for byte in 0..=u8::MAX {
                if first.bytes.contains(byte) {
                    by_first_byte[usize::from(byte)] |= bit;
                }
                if second.may_end || second.bytes.contains(byte) {
                    by_second_byte[usize::from(byte)] |= bit;
                }
            }
            if second.may_end {
                by_second_byte[256] |= bit;
            }
            let at_boundary = matches!(
                program.insts.get(start as usize),
                Some(Inst::Assert(Assertion::WordBoundary))
            );
            program.word_starts_only &= at_boundary && first.bytes.is_subset_of(&word_bytes);
            if first.bytes.len() > BROAD_START {
                if let Some(literal) = program.required_literal(start) {
                    program.required.to_mut().push((index as u32, literal));
                }
            }
        }
        Some(program)
    }

    /// A program whose tables are in the binary: the expression that [`ListProgram::to_rust`]
    /// wrote for a program compiled by `build.rs`.
    #[allow(clippy::too_many_arguments)]
    pub(crate) const fn from_static(
        insts: &'static [Inst],
        bytes: &'static [u8],
        sets: &'static [ByteSet],
        starts: &'static [u32],
        by_first_byte: &'static [u64; 256],
        by_second_byte: &'static [u64; 257],
        word_starts_only: bool,
        required: &'static [(u32, Range<usize>)],
    ) -> ListProgram {
        ListProgram {
            insts: Cow::Borrowed(insts),
            bytes: Cow::Borrowed(bytes),
            sets: Cow::Borrowed(sets),
            starts: Cow::Borrowed(starts),
            by_first_byte: Cow::Borrowed(by_first_byte),
            by_second_byte: Cow::Borrowed(by_second_byte),
            word_starts_only,
            required: Cow::Borrowed(required),
        }
    }

    /// The program as a Rust expression that rebuilds it with [`ListProgram::from_static`],
    /// naming `Inst`, `Assertion` and `ByteSet` unqualified. `build.rs`, which compiles the
    /// shipped lexicons with this module, writes it (a lexicon unit test holds what it wrote
    /// equal to fresh compiles).
    #[allow(dead_code)] // called by build.rs only
    pub(crate) fn to_rust(&self) -> String {
        let mut out = String::from("ListProgram::from_static(&[");
        for inst in self.insts.iter() {
            // The derived `Debug` of an instruction is its constructor, bar the enum's name.
            let _ = match inst {
                Inst::Assert(assertion) => write!(out, "Inst::Assert(Assertion::{assertion:?}),"),
                _ => write!(out, "Inst::{inst:?},"),
            };
        }
        let _ = write!(out, "], &{:?}, &[", self.bytes);
        for set in self.sets.iter() {
            let _ = write!(out, "ByteSet::from_words({:?}),", set.0);
        }
        let _ = write!(
            out,
            "], &{:?}, &{:?}, &{:?}, {}, &{:?})",
            self.starts,
            self.by_first_byte,
            self.by_second_byte,
            self.word_starts_only,
            self.required
        );
        out
    }

    /// The longest literal that every match from instruction `start` passes through.
    fn required_literal(&self, start: u32) -> Option<Range<usize>> {
        let mut literals: Vec<(u32, Range<usize>)> = self
            .reachable(start, None)
            .into_iter()
            .filter_map(|pc| match self.insts.get(pc as usize) {
                Some(Inst::Literal { start, len }) if *len > 0 => {
                    Some((pc, *start as usize..(*start + *len) as usize))
                }
                _ => None,
            })
            .collect();
        literals.sort_by_key(|(_, range)| std::cmp::Reverse(range.len()));
        literals
            .into_iter()
            .find(|(pc, _)| {
                !self
                    .reachable(start, Some(*pc))
                    .iter()
                    .any(|reached| self.insts.get(*reached as usize) == Some(&Inst::Match))
            })
            .map(|(_, range)| range)
    }

    /// The instructions reachable from `start` without passing through `avoid`.
    fn reachable(&self, start: u32, avoid: Option<u32>) -> Vec<u32> {
        let mut reached = Vec::new();
        self.walk(start, |pc, inst, pending| {
            if Some(pc) == avoid {
                return;
            }
            reached.push(pc);
            match inst {
                Inst::Split { prefer, other } => pending.extend([prefer, other]),
                Inst::Jump(target) => pending.push(target),
                Inst::Match => {}
                _ => pending.push(pc + 1),
            }
        });
        reached
    }

    /// The instructions that can consume a match's next byte from instruction `start` on
    /// (through assertions, which are not checked, splits and jumps), and whether the match
    /// can end before one does.
    fn first_steps(&self, start: u32) -> (Vec<u32>, bool) {
        let mut steps = Vec::new();
        let mut empty = false;
        self.walk(start, |pc, inst, pending| match inst {
            Inst::Literal { len: 0, .. } => pending.push(pc + 1),
            Inst::Literal { .. } | Inst::Byte { .. } => steps.push(pc),
            Inst::Repeat { min, max, .. } => {
                if max > 0 {
                    steps.push(pc);
                }
                if min == 0 {
                    pending.push(pc + 1);
                }
            }
            Inst::Assert(_) => pending.push(pc + 1),
            Inst::Split { prefer, other } => pending.extend([other, prefer]),
            Inst::Jump(target) => pending.push(target),
            Inst::Match => empty = true,
        });
        (steps, empty)
    }

    /// Visits each instruction once from `start` on: `visit` gets its index and the
    /// instruction, and pushes the instructions to go on to.
    fn walk(&self, start: u32, mut visit: impl FnMut(u32, Inst, &mut Vec<u32>)) {
        let mut seen = vec![false; self.insts.len()];
        let mut pending = vec![start];
        while let Some(pc) = pending.pop() {
            let Some(inst) = self.insts.get(pc as usize) else {
                continue;
            };
            if std::mem::replace(&mut seen[pc as usize], true) {
                continue;
            }
            visit(pc, *inst, &mut pending);
        }
    }

    /// The bytes `steps` can consume first.
    fn first_bytes(&self, steps: &[u32]) -> Lookahead {
        let mut first = Lookahead::default();
        for pc in steps {
            match self.insts.get(*pc as usize) {
                Some(Inst::Literal { start, .. }) => {
                    if let Some(byte) = self.bytes.get(*start as usize) {
                        first.bytes.insert(*byte);
                    }
                }
                Some(Inst::Byte { set } | Inst::Repeat { set, .. }) => {
                    first.bytes.union(&self.sets[*set as usize]);
                }
                _ => {}
            }
        }
        first
    }

    /// The bytes that can follow the first byte `steps` consume.
    fn second_bytes(&self, steps: &[u32]) -> Lookahead {
        let mut second = Lookahead::default();
        let then = |pc: u32, second: &mut Lookahead| {
            let (next_steps, empty) = self.first_steps(pc);
            second.bytes.union(&self.first_bytes(&next_steps).bytes);
            second.may_end |= empty;
        };
        for pc in steps {
            match self.insts.get(*pc as usize) {
                Some(Inst::Literal { start, len }) if *len >= 2 => {
                    if let Some(byte) = self.bytes.get(*start as usize + 1) {
                        second.bytes.insert(*byte);
                    }
                }
                Some(Inst::Literal { .. } | Inst::Byte { .. }) => then(pc + 1, &mut second),
                Some(Inst::Repeat { set, min, max, .. }) => {
                    if *max >= 2 {
                        second.bytes.union(&self.sets[*set as usize]);
                    }
                    if *min <= 1 {
                        then(pc + 1, &mut second);
                    }
                }
                _ => {}
            }
        }
        second
    }

    /// Every match in `text`, leftmost-first and non-overlapping, as the list's regex would
    /// report them with `find_iter`.
    pub fn find_all(&self, text: &SearchText) -> Result<Vec<Range<usize>>, TooComplex> {
        if u32::try_from(text.as_str().len()).is_err() {
            return Err(TooComplex);
        }
        SCRATCH.with(|cell| match cell.try_borrow_mut() {
            Ok(mut scratch) => self.search(text, &mut scratch),
            Err(_) => self.search(text, &mut Scratch::default()),
        })
    }

    fn search(
        &self,
        text: &SearchText,
        scratch: &mut Scratch,
    ) -> Result<Vec<Range<usize>>, TooComplex> {
        scratch.reset();
        let mut absent = 0u64;
        for (index, literal) in self.required.iter() {
            let literal = &self.bytes[literal.clone()];
            if memchr::memmem::find(text.as_str().as_bytes(), literal).is_none() {
                absent |= 1 << index;
            }
        }
        let mut found = Vec::new();
        let mut from = 0;
        while let Some(matched) = self.find_from(text, from, !absent, scratch)? {
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
        text: &SearchText,
        from: usize,
        patterns: u64,
        scratch: &mut Scratch,
    ) -> Result<Option<Range<usize>>, TooComplex> {
        let haystack = text.as_str().as_bytes();
        let first_word = text.word_starts.partition_point(|start| *start < from);
        let (mut word_starts, mut positions) = (
            text.word_starts[first_word..].iter().copied(),
            from..haystack.len(),
        );
        let starts: &mut dyn Iterator<Item = usize> = if self.word_starts_only {
            &mut word_starts
        } else {
            &mut positions
        };
        for start in starts {
            let candidates = self.candidates_at(start, haystack) & patterns;
            if candidates == 0 {
                continue;
            }
            if let Some(end) = self.run_candidates(start, haystack, candidates, scratch)? {
                return Ok(Some(start..end));
            }
        }
        Ok(None)
    }

    /// The patterns (bits, in list order) whose first two bytes can be those at `start`.
    #[inline]
    fn candidates_at(&self, start: usize, haystack: &[u8]) -> u64 {
        let Some(byte) = haystack.get(start) else {
            return 0;
        };
        let second = haystack.get(start + 1).map_or(256, |b| usize::from(*b));
        self.by_first_byte[usize::from(*byte)] & self.by_second_byte[second]
    }

    /// Where the first of `candidates` (bits, in list order) that matches at `start` ends.
    fn run_candidates(
        &self,
        start: usize,
        haystack: &[u8],
        mut candidates: u64,
        scratch: &mut Scratch,
    ) -> Result<Option<usize>, TooComplex> {
        while candidates != 0 {
            let index = candidates.trailing_zeros() as usize;
            candidates &= candidates - 1;
            if let Some(end) = self.run(self.starts[index], start, haystack, scratch)? {
                return Ok(Some(end));
            }
        }
        Ok(None)
    }

    /// False when instruction `pc` fails at once at `at`: an alternative that is not worth a
    /// memo entry.
    #[inline]
    fn may_go_on(&self, pc: u32, at: usize, haystack: &[u8]) -> bool {
        let next = haystack.get(at);
        match self.insts.get(pc as usize) {
            Some(Inst::Literal { start, len }) if *len > 0 => {
                next.is_some() && next == self.bytes.get(*start as usize)
            }
            Some(Inst::Byte { set }) => next.is_some_and(|b| self.sets[*set as usize].contains(*b)),
            Some(Inst::Assert(Assertion::WordBoundary)) => word_boundary(haystack, at),
            _ => true,
        }
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
        // The tables once, not through their `Cow` at every step.
        let (insts, bytes, sets) = (&*self.insts, &*self.bytes, &*self.sets);
        scratch.stack.clear();
        // The first state is not memoised: it is tried once per start. The alternatives left
        // on the stack are, each when it is taken up.
        let mut first = Some((pc, start));
        loop {
            let (mut pc, mut at) = if let Some(state) = first.take() {
                state
            } else {
                match scratch.stack.pop() {
                    None => return Ok(None),
                    Some(Frame::Step { pc, at }) => {
                        if !self.may_go_on(pc, at, haystack)
                            || !scratch.visit(pc, at, Visit::Alternative)?
                        {
                            continue;
                        }
                        (pc, at)
                    }
                    Some(Frame::Shorter { next, fewest, at }) => {
                        // The longest of the shorter runs that the next instruction does not
                        // fail after at once; the ones before it are left on the stack.
                        let mut at = at;
                        if let Some(Inst::Literal { start, len: 1.. }) = insts.get(next as usize) {
                            // Only where the literal's first byte is: a run before a literal
                            // (`*opplysning`) is mostly longer than the part that fits.
                            let first = bytes.get(*start as usize).copied().unwrap_or(0);
                            let run = haystack.get(fewest..=at).unwrap_or_default();
                            match memchr::memrchr(first, run) {
                                Some(offset) => at = fewest + offset,
                                None => continue,
                            }
                        }
                        while at > fewest && !self.may_go_on(next, at, haystack) {
                            at -= 1;
                        }
                        if at > fewest {
                            scratch.stack.push(Frame::Shorter {
                                next,
                                fewest,
                                at: at - 1,
                            });
                        }
                        if !self.may_go_on(next, at, haystack)
                            || !scratch.visit(next, at, Visit::AfterRepeat)?
                        {
                            continue;
                        }
                        (next, at)
                    }
                }
            };
            while let Some(inst) = insts.get(pc as usize) {
                match *inst {
                    Inst::Match => return Ok(Some(at)),
                    Inst::Literal { start, len } => {
                        let literal = &bytes[start as usize..(start + len) as usize];
                        // Byte by byte: most literals fail on their first byte, and short ones
                        // are not worth a call to `memcmp`.
                        let rest = haystack.get(at..).unwrap_or_default();
                        if rest.len() < literal.len()
                            || !literal.iter().zip(rest).all(|(want, have)| want == have)
                        {
                            break;
                        }
                        at += literal.len();
                        pc += 1;
                    }
                    Inst::Byte { set } => {
                        if !haystack
                            .get(at)
                            .is_some_and(|b| sets[set as usize].contains(*b))
                        {
                            break;
                        }
                        at += 1;
                        pc += 1;
                    }
                    Inst::Repeat {
                        set,
                        min,
                        max,
                        whole_run,
                    } => {
                        let set = &sets[set as usize];
                        let rest = haystack.get(at..).unwrap_or_default();
                        let count = rest
                            .iter()
                            .take(max as usize)
                            .take_while(|b| set.contains(**b))
                            .count();
                        if count < min as usize {
                            break;
                        }
                        let fewest = at + min as usize;
                        let longest = at + count;
                        // Shorter runs, longest first; with `whole_run`, only the empty one.
                        let shorter = if whole_run {
                            (min == 0 && count > 0).then_some(at)
                        } else {
                            (longest > fewest).then(|| longest - 1)
                        };
                        if let Some(shorter) = shorter {
                            scratch.stack.push(Frame::Shorter {
                                next: pc + 1,
                                fewest,
                                at: shorter,
                            });
                        }
                        at = longest;
                        pc += 1;
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
                        scratch.stack.push(Frame::Step { pc: other, at });
                        pc = prefer;
                    }
                    Inst::Jump(target) => pc = target,
                }
            }
        }
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

/// The kinds of memoised states.
#[derive(Debug, Clone, Copy)]
enum Visit {
    /// An alternative taken up from the stack.
    Alternative = 0,
    /// A shorter run of a repetition.
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
    /// Forgets every state. A set grown large by one heavy search is dropped rather than
    /// cleared, which would cost its whole capacity after every later match.
    fn reset(&mut self) {
        if self.visited.capacity() > SMALL_MEMO {
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
        let key = (u64::from(pc) << 34) | ((kind as u64) << 32) | at as u64;
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
        ListProgram::compile(&hirs).map(|p| p.find_all(&SearchText::new(haystack)).expect("simple"))
    }

    #[test]
    fn byte_ranges_insert_every_byte_between_their_ends() {
        for (start, end) in [
            (0u8, 255u8),
            (0, 0),
            (63, 64),
            (10, 200),
            (255, 255),
            (64, 127),
        ] {
            let mut by_range = ByteSet::default();
            by_range.insert_range(start, end);
            let mut by_byte = ByteSet::default();
            for byte in start..=end {
                by_byte.insert(byte);
            }
            assert_eq!(by_range, by_byte, "{start}..={end}");
        }
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
        for pattern in [
            r"a*",
            r"(?:)",
            r"\b",
            r"(?-u:\b{start})a",
            r"a|",
            r"(?:a?)*b",
            r"(?:a|b?)+c",
        ] {
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
        assert_eq!(program.find_all(&SearchText::new(&long)), Err(TooComplex));
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
                program.find_all(&SearchText::new(&haystack)),
                Ok(theirs),
                "{:?} on {:?}",
                patterns,
                haystack
            );
        }
    }
}
