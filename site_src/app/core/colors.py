"""Colour values: which texts are colours, and colours with transparency.

Colours come from synced settings (a tag's colour, TG-06) that any holder of an API
token can write, and they end up in ``style`` attributes and on the canvas. So a
colour is used only after ``valid_color`` accepted it: ``#rgb`` and ``#rrggbb`` (the
swatches, the picker and "Random" of the tag dialog), the CSS colour names and
``rgb()``/``hsl()`` with numbers (what else the tag dialog lets a user type). Anything
else, such as ``red" onmouseover="...``, is replaced by the fallback. The tag dialog
checks with the same ``is_color``, so what it stores is what is read back. Pure logic:
no DOM.
"""

from pscript import window

ACCENT = "#DEAA22"  # the accent colour, also every tag's default colour

# The named colours of CSS (CSS Color Module Level 4), lower case.
NAMED_COLORS = (
    "aliceblue antiquewhite aqua aquamarine azure beige bisque black blanchedalmond "
    "blue blueviolet brown burlywood cadetblue chartreuse chocolate coral "
    "cornflowerblue cornsilk crimson cyan darkblue darkcyan darkgoldenrod darkgray "
    "darkgreen darkgrey darkkhaki darkmagenta darkolivegreen darkorange darkorchid "
    "darkred darksalmon darkseagreen darkslateblue darkslategray darkslategrey "
    "darkturquoise darkviolet deeppink deepskyblue dimgray dimgrey dodgerblue "
    "firebrick floralwhite forestgreen fuchsia gainsboro ghostwhite gold goldenrod "
    "gray green greenyellow grey honeydew hotpink indianred indigo ivory khaki "
    "lavender lavenderblush lawngreen lemonchiffon lightblue lightcoral lightcyan "
    "lightgoldenrodyellow lightgray lightgreen lightgrey lightpink lightsalmon "
    "lightseagreen lightskyblue lightslategray lightslategrey lightsteelblue "
    "lightyellow lime limegreen linen magenta maroon mediumaquamarine mediumblue "
    "mediumorchid mediumpurple mediumseagreen mediumslateblue mediumspringgreen "
    "mediumturquoise mediumvioletred midnightblue mintcream mistyrose moccasin "
    "navajowhite navy oldlace olive olivedrab orange orangered orchid palegoldenrod "
    "palegreen paleturquoise palevioletred papayawhip peachpuff peru pink plum "
    "powderblue purple rebeccapurple red rosybrown royalblue saddlebrown salmon "
    "sandybrown seagreen seashell sienna silver skyblue slateblue slategray "
    "slategrey snow springgreen steelblue tan teal thistle tomato turquoise violet "
    "wheat white whitesmoke yellow yellowgreen"
).split(" ")

_HEX = RegExp("^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
_NUMBER = "[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)"
# rgb(1, 2, 3) rgba(1, 2, 3, 0.5) rgb(1 2 3 / 50%) hsl(120deg 50% 50%) ...
_FUNCTION = RegExp(
    "^(rgb|rgba|hsl|hsla)[(] *"
    + _NUMBER
    + "(deg|%)?"
    + "(( *, *"
    + _NUMBER
    + "%?){2}( *, *"
    + _NUMBER
    + "%?)?|( +"
    + _NUMBER
    + "%?){2}( */ *"
    + _NUMBER
    + "%?)?) *[)]$",
    "i",
)


def is_color(text):
    """Whether ``text`` is a colour we accept (see the module docstring)."""
    if not isinstance(text, str) or len(text) > 64:
        return False
    s = text.strip()
    if _HEX.test(s) or _FUNCTION.test(s):
        return True
    return NAMED_COLORS.indexOf(s.toLowerCase()) >= 0


def valid_color(text, fallback=ACCENT):
    """``text`` (trimmed) when it is a colour we accept, else ``fallback``."""
    if is_color(text):
        return text.strip()
    return fallback


def with_alpha(color, alpha):
    """A ``#rgb``/``#rrggbb`` colour as ``rgba(...)`` with the given opacity; other
    colour texts are returned unchanged."""
    s = str(color or "").strip()
    if not _HEX.test(s):
        return color
    if len(s) == 4:
        s = "#" + s[1] + s[1] + s[2] + s[2] + s[3] + s[3]
    rgb = [
        window.parseInt(s[1:3], 16),
        window.parseInt(s[3:5], 16),
        window.parseInt(s[5:7], 16),
    ]
    return "rgba(" + ",".join([str(v) for v in rgb]) + "," + str(alpha) + ")"
