"""Training and evaluation of the learned triage classifiers (`caredesk models train|evaluate`).

Training needs the `train` extra (scikit-learn, vaderSentiment); evaluation needs only the
run-time dependencies.
"""
