"""The quiz domain: question generation, answer matching, scoring and the round/session state machine.

Plain Python; nothing here imports discord or touches the store.
"""
