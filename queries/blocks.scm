; Blocks that the analysis reads, picked out of the tree-sitter-md block tree.
; Each capture name is a block kind; paragraphs that are the content of a setext heading
; are dropped in code (they are read through their heading).
(atx_heading) @heading
(setext_heading) @heading
(paragraph) @paragraph
(pipe_table_header) @table_row
(pipe_table_row) @table_row
(indented_code_block) @code
(fenced_code_block) @fenced_code
(html_block) @html
