"""Cross-validation folds: one author per fold for the training file, hashed folds for any other bank.

The thresholds and the confidence calibration are chosen on out-of-fold readings, so the folds decide how
honest those readings are about text by a writer the model has never read.
"""

from __future__ import annotations

import json

import numpy as np
from training.bank import TRAIN_PATH
from training.train import AUTHOR_FIRST_IDS, FOLDS, REPEATS, author_of, splits_of


def test_a_training_id_falls_in_the_batch_of_the_author_who_wrote_it() -> None:
    assert author_of("t-001") == 0
    assert author_of("t-268") == 0
    assert author_of("t-269") == 1
    assert author_of("t-1099") == AUTHOR_FIRST_IDS.index(900)
    assert author_of("t-1299") == len(AUTHOR_FIRST_IDS) - 1


def test_an_id_of_another_shape_names_no_author() -> None:
    assert author_of("h-001") is None
    assert author_of("f-12") is None
    assert author_of("t-000") is None


def test_the_training_file_is_split_by_author_with_every_batch_present() -> None:
    ids = [json.loads(line)["id"] for line in TRAIN_PATH.read_text(encoding="utf-8").splitlines()]
    (folds,) = splits_of(ids)
    assert sorted(set(folds.tolist())) == list(range(len(AUTHOR_FIRST_IDS)))
    first = {f"t-{n:03d}" for n in AUTHOR_FIRST_IDS}
    assert first <= set(ids), "each author batch in AUTHOR_FIRST_IDS starts at a training session"


def test_a_bank_without_author_ids_gets_hashed_folds_repeated() -> None:
    splits = splits_of([f"f-{n}" for n in range(200)])
    assert len(splits) == REPEATS
    for folds in splits:
        assert set(np.unique(folds).tolist()) == set(range(FOLDS))
    assert not np.array_equal(splits[0], splits[1])


def test_real_sessions_join_the_author_folds_whole_sites_at_a_time() -> None:
    ids = [f"t-{n:03d}" for n in (1, 2, 269, 270, 532, 533)] + [f"r-{n}" for n in range(60)]
    sites = [None] * 6 + [f"site{n % 12}.org" for n in range(60)]
    (folds,) = splits_of(ids, sites)
    assert folds[:6].tolist() == [0, 0, 1, 1, 2, 2]
    for site in set(sites[6:]):
        assert len({int(f) for f, s in zip(folds, sites, strict=True) if s == site}) == 1


def test_a_bank_of_real_sessions_only_is_split_by_site() -> None:
    from training.train import site_fold

    sites = [f"site{n % 20}.org" for n in range(100)]
    (folds,) = splits_of([f"r-{n}" for n in range(100)], sites)
    assert folds.tolist() == [site_fold(s, FOLDS) for s in sites]


def test_sub_sites_of_one_publisher_fall_in_one_group() -> None:
    from training.real import site_group

    assert site_group("2023alaannual.eventscribe.net") == site_group("eventscribe.net") == "eventscribe.net"
    assert site_group("www.lawsociety.org.uk") == site_group("events.lawsociety.org.uk")
