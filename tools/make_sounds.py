"""Make the pomodoro's sounds (TP-11) from sine tones: WAV files in site_src/app/.

    python tools/make_sounds.py

Three short sounds, written by this script and committed with it (no recording, no
third-party sample, so no licence but the project's):

* ``sound-windup.wav``: a quick rising sweep with a tick, when a work or break period
  starts;
* ``sound-alarm.wav``: a soft three-note chime, when a period ran out;
* ``sound-manual.wav``: one short falling note, when a period is stopped by hand.

Mono, 16 kHz, 16 bit: small (under 40 KB each), and every browser plays WAV. The same
script gives byte-identical files.
"""

import math
import os
import struct
import wave

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(os.path.dirname(HERE), "site_src", "app")
RATE = 16000


def envelope(i, n, attack=0.01, decay=4.0):
    """A quick fade-in, then an exponential fade-out (a struck bell)."""
    t = i / RATE
    rise = min(1.0, t / attack) if attack > 0 else 1.0
    fall = math.exp(-decay * t)
    tail = min(1.0, (n - i) / (0.01 * RATE))  # no click at the end
    return rise * fall * tail


def tone(freq, seconds, volume=0.5, decay=4.0, overtone=0.25):
    n = int(seconds * RATE)
    out = []
    for i in range(n):
        t = i / RATE
        v = math.sin(2 * math.pi * freq * t) + overtone * math.sin(
            4 * math.pi * freq * t
        )
        out.append(volume * v / (1 + overtone) * envelope(i, n, decay=decay))
    return out


def sweep(f1, f2, seconds, volume=0.4):
    n = int(seconds * RATE)
    out = []
    phase = 0.0
    for i in range(n):
        f = f1 + (f2 - f1) * (i / n) ** 2
        phase += 2 * math.pi * f / RATE
        out.append(volume * math.sin(phase) * envelope(i, n, attack=0.02, decay=2.0))
    return out


def mix(*parts):
    """Overlay ``(start_seconds, samples)`` parts."""
    length = max(int(start * RATE) + len(s) for start, s in parts)
    out = [0.0] * length
    for start, samples in parts:
        offset = int(start * RATE)
        for i, v in enumerate(samples):
            out[offset + i] += v
    return out


def write(name, samples):
    path = os.path.join(OUT, name)
    peak = max(1e-9, max(abs(v) for v in samples))
    scale = min(1.0, 0.9 / peak) * 32767
    frames = b"".join(struct.pack("<h", int(round(v * scale))) for v in samples)
    with wave.open(path, "wb") as f:
        f.setnchannels(1)
        f.setsampwidth(2)
        f.setframerate(RATE)
        f.writeframes(frames)
    print(f"wrote {path} ({len(samples) / RATE:.2f} s)")


def main():
    write(
        "sound-windup.wav",
        mix((0.0, sweep(300, 900, 0.35)), (0.33, tone(1320, 0.12, 0.5, decay=30))),
    )
    write(
        "sound-alarm.wav",
        mix(
            (0.0, tone(880, 0.6, decay=5)),
            (0.22, tone(1109, 0.6, decay=5)),
            (0.44, tone(1319, 0.7, decay=4)),
        ),
    )
    write("sound-manual.wav", mix((0.0, sweep(700, 440, 0.3, volume=0.5))))


if __name__ == "__main__":
    main()
