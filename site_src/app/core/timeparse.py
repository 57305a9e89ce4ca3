"""The time text parser of the record dialog's start, stop and duration fields (RC-13).

``parse_time(text)`` turns what a user types (``"9:30"``, ``"930"``, ``"1h 30m"``,
``"4:34 pm"``) into ``[hours, minutes, seconds]``, or ``None`` when nothing in it can
be read (the field then keeps its previous value). Values are not clamped: ``"30"`` is
30 hours and ``"13:60"`` is 13 h 60 min, so callers add the parts up as seconds.
Pure logic: no DOM. Cases TS-42..TS-51.
"""

_SEPARATORS = " :;,\t"
_UNITS = "hms"


def _is_digits(s):
    if len(s) == 0:
        return False
    for c in s:
        if c < "0" or c > "9":
            return False
    return True


def parse_time(text):
    """Parse a time text into ``[h, m, s]`` or ``None``.

    * Case-insensitive and trimmed. A trailing ``am``/``pm`` (with or without a space
      before it) means a 12-hour clock: 12 am is 0 h, 1-11 pm add 12 h.
    * Tokens are separated by spaces, ``:``, ``;`` and ``,``, or ended by a unit letter
      ``h``/``m``/``s`` that assigns the number before it. Other numbers fill hours,
      then minutes, then seconds (continuing after the last unit used); numbers beyond
      seconds are ignored, and so are tokens that are not all digits.
    * A lone number of more than two digits with no separator after it is read in
      2-digit groups: ``1234`` is 12:34, ``123456`` is 12:34:56, ``132`` is 13:02.
    """
    if text is None:
        return None
    text = str(text).lower().strip()
    ampm = ""
    if text.endswith("am") or text.endswith("pm"):
        ampm = text[-2:]
        text = text[:-2].strip()
    values = [0, 0, 0]
    found = False
    if len(text) > 2 and _is_digits(text):
        # Packed digits: 2-digit groups from the left, the last may have one digit.
        i = 0
        pos = 0
        while i < len(text) and pos < 3:
            values[pos] = int(text[i : i + 2])
            pos += 1
            i += 2
        found = True
    else:
        pos = 0  # the field the next bare number fills
        token = ""
        n = len(text)
        for i in range(n + 1):
            c = text[i] if i < n else " "
            is_unit = _UNITS.indexOf(c) >= 0
            if not is_unit and _SEPARATORS.indexOf(c) < 0:
                token += c
                continue
            if _is_digits(token):
                if is_unit:
                    pos = _UNITS.indexOf(c)
                if pos < 3:
                    values[pos] = int(token)
                    found = True
                pos += 1
            token = ""
    if not found:
        return None
    if ampm:
        h = values[0]
        if ampm == "am" and h == 12:
            values[0] = 0
        elif ampm == "pm" and 1 <= h <= 11:
            values[0] = h + 12
    return values
