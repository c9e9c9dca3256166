"""From a parsed protocol message to the game command it stands for (server/core/commands.py)."""

from server.core import commands as c
from server.web.messages import (
    ActionAddMsg,
    ActionEditMsg,
    ActionRemoveMsg,
    ActionStatusMsg,
    AnswerMsg,
    ClientMessage,
    ConsensusMsg,
    DrawMsg,
    FinishMsg,
    FrameMsg,
    LockMsg,
    NextMsg,
    NoteMsg,
    ParkMsg,
    PassTurnMsg,
    RemoveMsg,
    RevealMsg,
    SkipMsg,
    StartMsg,
)


def to_command(msg: ClientMessage) -> c.Command | None:  # noqa: C901 - one flat match, a case per type
    """The game command a message stands for (None for join, sync and ping)."""
    match msg:
        case StartMsg():
            return c.Start()
        case DrawMsg(theme=theme, card_id=card_id):
            return c.Draw(theme, card_id)
        case AnswerMsg(card_id=card_id, question_id=question_id, value=value):
            return c.Answer(card_id, question_id, value)
        case RevealMsg():
            return c.Reveal()
        case ConsensusMsg(question_id=question_id, value=value):
            return c.Consensus(question_id, value)
        case NoteMsg(text=text):
            return c.AddNote(text)
        case NextMsg():
            return c.Next()
        case SkipMsg():
            return c.Skip()
        case ParkMsg():
            return c.Park()
        case PassTurnMsg():
            return c.PassTurn()
        case FinishMsg():
            return c.Finish()
        case RemoveMsg(player_id=player_id):
            return c.Remove(player_id)
        case LockMsg(locked=locked):
            return c.Lock(locked)
        case FrameMsg():
            return c.Frame(msg.changes())
        case ActionAddMsg():
            return c.AddAction(
                text=msg.text,
                owner=msg.owner or "",
                due=msg.due,
                criterion=msg.criterion,
                guide_step=msg.guide_step,
                card_id=msg.card_id,
                note=msg.note,
            )
        case ActionEditMsg():
            return c.EditAction(msg.action_id, msg.changes())
        case ActionRemoveMsg(action_id=action_id):
            return c.RemoveAction(action_id)
        case ActionStatusMsg(action_id=action_id, status=status):
            return c.SetActionStatus(action_id, status)
    return None
