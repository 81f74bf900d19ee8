"""A small labelled bank of our own and a model trained on it with the hashing embedder (no ONNX needed).

The unit tests of rules, head and analysis use it; only tests marked ``model`` load the real embedder.
"""

from __future__ import annotations

from functools import lru_cache

from training.bank import LabelledSession, labelled_from_row
from training.train import train

from certcredit.evaluate.classify import SessionEvaluator
from certcredit.evaluate.embedder import HashingEmbedder
from certcredit.evaluate.lexicon import default_lexicon
from certcredit.evaluate.model import SessionModel

ROWS = [
    (
        "Sharper Memos",
        "Draft clear memos and e-mail: grammar, structure, punctuation and a plain writing style.",
        "writing",
        "CM",
    ),
    (
        "Editing Policy Manuals",
        "Rewrite policy manual sections in plain language; grammar and writing style drills.",
        "writing",
        "CM",
    ),
    (
        "Writing Job Descriptions",
        "Write job descriptions with clear duties; practise drafting and editing the written text.",
        "writing",
        "CM",
    ),
    (
        "Listening at the Front Desk",
        "Practise listening, questions and tone of voice when clients call; interpersonal communication.",
        "communication",
        "CM",
    ),
    (
        "Presenting to Partners",
        "Oral presentation skills: structure a talk, speak with confidence, read body language.",
        "communication",
        "CM",
    ),
    (
        "Feedback Conversations",
        "Hold a performance counseling conversation: listening, speaking plainly, nonverbal cues.",
        "communication",
        "CM",
    ),
    (
        "Taming Your Calendar",
        "Time management method: block time, set priorities, plan the week and control interruptions.",
        "self_management",
        "CM",
    ),
    (
        "Stress Skills at Work",
        "Techniques to manage stress under deadlines; breathing, priorities and a plan for peak weeks.",
        "self_management",
        "CM",
    ),
    (
        "Project Plans for One",
        "Project management for your own work: milestones, schedules and a weekly review.",
        "self_management",
        "CM",
    ),
    (
        "Excel Pivot Tables",
        "Hands-on spreadsheet software lab: pivot tables, formulas and Excel database features.",
        "information_technology",
        "OM",
    ),
    (
        "Securing the Network",
        "Configure firewalls, network security, multi-factor authentication and software updates.",
        "information_technology",
        "OM",
    ),
    (
        "Document Management Set-Up",
        "Configure the document management software system: profiles, security and search.",
        "information_technology",
        "OM",
    ),
    (
        "Building Strong Teams",
        "Team development and leadership: align team strengths, coaching and management principles.",
        "organizational_development",
        "CM",
    ),
    (
        "Leading Change",
        "Change management for leaders: lead the team, handle conflict, shape culture.",
        "organizational_development",
        "CM",
    ),
    (
        "Negotiation for Managers",
        "Negotiation and conflict management techniques for leaders and their teams.",
        "organizational_development",
        "CM",
    ),
    (
        "Marketing the Firm Online",
        "Marketing ideas: blogs, social media, brand and campaigns to market the firm to clients.",
        "none",
        "LI",
    ),
    (
        "Reading the Balance Sheet",
        "Financial statements, budgets, accounting ratios and cash for the firm's finance.",
        "none",
        "FM",
    ),
    (
        "Employment Law Update",
        "Employment law changes: leave law, wage rules and compliance for human resources.",
        "none",
        "HR",
    ),
    (
        "Life Is a Choice",
        "A motivational talk on choices, happiness and personal growth; inspiration for life.",
        "none",
        "CM",
    ),
    (
        "Trends in the Legal Market",
        "Industry trends, the future of law firms, market outlook and what may come next.",
        "none",
        "LI",
    ),
    (
        "Ethics and Client Gifts",
        "Business ethics: gifts, conflicts of interest and integrity in vendor dealings.",
        "none",
        "LI",
    ),
]


def labelled_bank() -> list[LabelledSession]:
    bank = []
    for number, (title, description, label, area) in enumerate(ROWS, start=1):
        topic = "business_ethics" if "ethic" in title.lower() else None
        row = {
            "id": f"f-{number}",
            "title": title,
            "description": description,
            "minutes": 60,
            "label": label,
            "subject_area": area,
            "topic": topic,
        }
        bank.append(labelled_from_row(row, number))
    return bank


@lru_cache(maxsize=1)
def hashing_model() -> SessionModel:
    return train(labelled_bank(), HashingEmbedder(), default_lexicon(), "fixture", lambda _line: None)


def hashing_evaluator(model: SessionModel | None = None) -> SessionEvaluator:
    return SessionEvaluator(model or hashing_model(), HashingEmbedder(), default_lexicon())
