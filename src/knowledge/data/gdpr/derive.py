#!/usr/bin/env python3
"""Derive the GDPR texts that privacy-lsp ships (nb.json, en.json in this folder).

Sources (see ../shared/data/SOURCES.md):
- Norwegian: Prop. 56 LS (2017-2018), as structured in shared/data/gdpr-nb/gdpr-nb.json.
- English: the Publications Office's Formex XML of Regulation (EU) 2016/679 with the
  corrigendum of 23 May 2018 merged, shared/data/gdpr-en/gdpr-consolidated-en.xml.

Both are normalised to one shape so that a reference such as "Art. 6(1)(f)" or
"artikkel 4 nr. 11" resolves the same way in either language:

    {"language", "title", "source", "attribution",
     "articles": [{"number", "title", "chapter",
                   "paragraphs": [{"number": int|null,
                                   "parts": [{"text"} | {"point", "text"}]}]}]}

Definitions of Art. 4 become paragraphs numbered 1-26, as they are cited ("Art. 4(11)").
Run from the repository root: python3 src/knowledge/data/gdpr/derive.py ../shared/data
"""

import json
import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

HERE = Path(__file__).resolve().parent


def norwegian(shared: Path) -> dict:
    source = json.loads((shared / "gdpr-nb" / "gdpr-nb.json").read_text(encoding="utf-8"))
    articles = []
    for chapter in source["chapters"]:
        for article in chapter["articles"]:
            paragraphs = []

            def current():
                if not paragraphs:
                    paragraphs.append({"number": None, "parts": []})
                return paragraphs[-1]

            for paragraph in article["paragraphs"]:
                text = paragraph["text"].strip()
                number = paragraph["number"]
                definition = re.match(r"^(\d+)\)\s+(.*)$", text, re.S)
                letter = re.match(r"^([a-z])\)\s+(.*)$", text, re.S)
                if number is not None:
                    paragraphs.append({"number": number, "parts": []})
                    if text:
                        current()["parts"].append({"text": text})
                elif article["number"] == 4 and definition:
                    paragraphs.append({"number": int(definition.group(1)), "parts": [{"text": text}]})
                elif letter:
                    current()["parts"].append({"point": letter.group(1), "text": letter.group(2).strip()})
                elif text:
                    current()["parts"].append({"text": text})
                for point in paragraph["points"]:
                    if point["letter"]:
                        current()["parts"].append({"point": point["letter"], "text": point["text"].strip()})
                    else:
                        current()["parts"].append({"text": point["text"].strip()})
            articles.append({
                "number": article["number"],
                "title": article["title"],
                "chapter": chapter["number"],
                "paragraphs": paragraphs,
            })
    return {
        "language": "nb",
        "title": "Personvernforordningen (EU) 2016/679",
        "source": "Prop. 56 LS (2017–2018), vedlegg; gjeldende tekst hos Lovdata (LOV-2018-06-15-38)",
        "attribution": "Norsk oversettelse fra Prop. 56 LS (2017–2018). Lovdata har den gjeldende teksten.",
        "articles": articles,
    }


def flat_text(element) -> str:
    """The text of an element, with Formex quotation marks and without notes."""
    out = []

    def walk(node):
        if node.tag == "NOTE":
            if node.tail:
                out.append(node.tail)
            return
        if node.tag == "QUOT.START":
            out.append("‘")
        elif node.tag == "QUOT.END":
            out.append("’")
        if node.text:
            out.append(node.text)
        for child in node:
            walk(child)
        if node.tail:
            out.append(node.tail)

    if element.text:
        out.append(element.text)
    for child in element:
        walk(child)
    return re.sub(r"\s+", " ", "".join(out)).strip()


def list_parts(lst, nested=False):
    """Points of a LIST: [{"point", "text"}]; nested lists are folded into their point."""
    parts = []
    for item in lst.findall("ITEM"):
        np = item.find("NP")
        if np is None:
            parts.append({"text": flat_text(item)})
            continue
        label = (np.findtext("NO.P") or "").strip().strip("()")
        texts = []
        for child in np:
            if child.tag == "TXT":
                texts.append(flat_text(child))
            elif child.tag == "P":
                texts.append(flat_text(child))
            elif child.tag == "LIST":
                for sub in list_parts(child, nested=True):
                    texts.append(f"({sub['point']}) {sub['text']}" if "point" in sub else sub["text"])
        parts.append({"point": label, "text": "\n".join(t for t in texts if t)})
    return parts


def alinea_parts(alinea):
    parts = []
    children = list(alinea)
    if not any(c.tag in ("P", "LIST") for c in children):
        text = flat_text(alinea)
        return [{"text": text}] if text else []
    if alinea.text and alinea.text.strip():
        parts.append({"text": alinea.text.strip()})
    for child in children:
        if child.tag == "P":
            text = flat_text(child)
            if text:
                parts.append({"text": text})
        elif child.tag == "LIST":
            parts.extend(list_parts(child))
    return parts


def english(shared: Path) -> dict:
    root = ET.parse(shared / "gdpr-en" / "gdpr-consolidated-en.xml").getroot()
    articles = []
    chapter_number = None
    for node in root.iter():
        if node.tag == "DIVISION":
            title = node.find("TITLE/TI")
            if title is not None:
                match = re.match(r"CHAPTER\s+([IVXL]+)", flat_text(title))
                if match:
                    chapter_number = match.group(1)
        if node.tag != "ARTICLE":
            continue
        number = int(node.get("IDENTIFIER"))
        paragraphs = []
        for child in node:
            if child.tag == "PARAG":
                parts = []
                for alinea in child.findall("ALINEA"):
                    parts.extend(alinea_parts(alinea))
                paragraphs.append({"number": int(child.findtext("NO.PARAG").strip().rstrip(".")), "parts": parts})
            elif child.tag == "ALINEA":
                parts = alinea_parts(child)
                if not paragraphs or paragraphs[-1]["number"] is not None:
                    paragraphs.append({"number": None, "parts": []})
                paragraphs[-1]["parts"].extend(parts)
        if number == 4:
            # Definitions, cited as Art. 4(1)...(26).
            intro = [p for p in paragraphs[0]["parts"] if "point" not in p]
            definitions = [p for p in paragraphs[0]["parts"] if "point" in p]
            paragraphs = [{"number": None, "parts": intro}] + [
                {"number": int(d["point"]), "parts": [{"text": f"({d['point']}) {d['text']}"}]}
                for d in definitions
            ]
        articles.append({
            "number": number,
            "title": flat_text(node.find("STI.ART")),
            "chapter": chapter_number,
            "paragraphs": paragraphs,
        })
    return {
        "language": "en",
        "title": "General Data Protection Regulation (EU) 2016/679",
        "source": "Regulation (EU) 2016/679, OJ L 119, 4.5.2016, with the corrigendum of 23.5.2018 (Formex XML of the Publications Office)",
        "attribution": "© European Union, https://eur-lex.europa.eu. Only the Official Journal is authentic.",
        "articles": articles,
    }


def shape(document):
    """Article -> paragraph number -> point labels, for comparing the two languages."""
    return {
        a["number"]: {p["number"]: [x["point"] for x in p["parts"] if "point" in x] for p in a["paragraphs"] if p["number"] is not None}
        for a in document["articles"]
    }


def main():
    shared = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data")
    nb, en = norwegian(shared), english(shared)
    nb_shape, en_shape = shape(nb), shape(en)
    differences = [n for n in en_shape if nb_shape.get(n) != en_shape[n]]
    for n in differences:
        print(f"article {n}: nb {nb_shape.get(n)} en {en_shape[n]}", file=sys.stderr)
    for document in (nb, en):
        path = HERE / f"{document['language']}.json"
        path.write_text(json.dumps(document, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
        print(f"{path.name}: {len(document['articles'])} articles, {path.stat().st_size} bytes")
    print(f"{len(differences)} articles differ in structure between nb and en")


if __name__ == "__main__":
    main()
