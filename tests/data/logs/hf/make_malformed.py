"""Writes malformed/: variants of run/trainer_state.json and run/all_results.json (the real
files transformers 4.46.3 wrote, generate.py) that the readers must refuse, or read
with a warning, naming the file, the line and the JSON pointer. Run from anywhere:

    python3 tests/data/logs/hf/make_malformed.py
"""
import json
import os

here = os.path.dirname(os.path.abspath(__file__))
out = os.path.join(here, "malformed")
os.makedirs(out, exist_ok=True)
with open(os.path.join(here, "run", "trainer_state.json")) as f:
    text = f.read()
state = json.loads(text)


def write(name, data):
    with open(os.path.join(out, name), "w") as f:
        f.write(data if isinstance(data, str) else json.dumps(data, indent=2, sort_keys=True) + "\n")


def variant(change):
    s = json.loads(text)
    change(s)
    return s


# Cut in the middle of a record: a syntax error at the end.
write("truncated_trainer_state.json", text[: text.index('"eval_loss"')])
# Not a trainer state: the records are missing, or not an array, or a record is not an object.
write("no_log_history_trainer_state.json", variant(lambda s: s.pop("log_history")))
write("log_history_object_trainer_state.json", variant(lambda s: s.update(log_history={"a": 1})))
write("record_not_object_trainer_state.json",
      variant(lambda s: s["log_history"].insert(1, 0.5)))
# An epoch that is not a number, a negative one, a fractional step.
write("epoch_string_trainer_state.json",
      variant(lambda s: s["log_history"][2].update(epoch="1.0")))
write("epoch_negative_trainer_state.json",
      variant(lambda s: s["log_history"][2].update(epoch=-1.0)))
write("step_fractional_trainer_state.json",
      variant(lambda s: s["log_history"][0].update(step=2.5)))
# Python's json.dumps writes NaN for a diverged loss: read as NaN.
write("nan_loss_trainer_state.json",
      text.replace('"eval_loss": 1.3839759826660156', '"eval_loss": NaN'))
# A compute_metrics that returns a string beside the numbers: skipped with a warning.
write("string_metric_trainer_state.json",
      variant(lambda s: s["log_history"][2].update(eval_report="precision 0.2")))
# save_metrics of a list: the top level is not an object.
write("list_eval_results.json", "[0.2, 1.38]\n")

# Nothing to read (the audit's "no metric value read", exit 2): the state the Trainer saves
# before its first log (log_history still empty), and the results of an evaluation
# without labels (evaluate() on an unlabelled set: its runtime and rates, no loss, no metric).
write("empty_log_history_trainer_state.json", variant(lambda s: s.update(log_history=[])))
with open(os.path.join(here, "run", "eval_results.json")) as f:
    results = json.load(f)
unlabelled = {k: v for k, v in results.items() if k == "epoch" or k.endswith(("_runtime", "_per_second"))}
# As save_metrics writes it (trainer_pt_utils.py: json.dump(..., indent=4, sort_keys=True)).
write("unlabelled_eval_results.json", json.dumps(unlabelled, indent=4, sort_keys=True))
