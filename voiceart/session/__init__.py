"""The session: the hands-free loop as pure logic (events in, actions out)."""
from voiceart.session.events import (Action, Draw, Drawn, Event, Failed, Heard, Keep, Picture, Problem, Run, Save, Saved,
                                     Say, Show, State, Stylize, Stylized, View)
from voiceart.session.keys import KEYS, PUSH_TO_TALK
from voiceart.session.machine import Session

__all__ = ["Action", "Draw", "Drawn", "Event", "Failed", "Heard", "KEYS", "Keep", "PUSH_TO_TALK", "Picture", "Problem",
           "Run", "Save", "Saved", "Say", "Session", "Show", "State", "Stylize", "Stylized", "View"]
