"""Differential cases: infrastructure routes and experiments (see test_differential.py).

Adding a case: append ``Case("name", [step, ...])``; ``$var`` is replaced by the value a step of
the same case saved from that server's response, ``$P`` by a prefix unique to the case."""

from __future__ import annotations

from diff_builders import SQL_TEXT, get_exp, new_exp, new_run, get_run, search_exps
from diffharness import GET, NO_MESSAGE, POST, Case

EXPERIMENT_CASES: list[Case] = [
    # ---------------- infrastructure ----------------
    Case("health_version", [GET("/health"), GET("/version")]),
    Case("unknown_endpoint", [GET("/api/2.0/mlflow/no-such-thing"),
                              POST("/api/2.0/mlflow/runs/no-such-thing", {})]),
    Case("wrong_method", [GET("runs/create"), POST("runs/get", {})]),
    Case("default_experiment", [GET("experiments/get", {"experiment_id": "0"}),
                                GET("experiments/get-by-name", {"experiment_name": "Default"})]),

    # ---------------- experiments/create, get, get-by-name ----------------
    Case("experiment_create_get", [
        new_exp(),
        get_exp(),
        GET("experiments/get-by-name", {"experiment_name": "$P"}),
        GET("experiments/get", {"experiment_id": "$exp"}, prefix="ajax-api"),
    ]),
    Case("experiment_create_with_tags_and_location", [
        new_exp(tags=[{"key": "a", "value": "1"}, {"key": "b", "value": ""}],
                artifact_location="s3://bucket/some/prefix"),
        get_exp(),
        new_exp("$P-file", var="e2", artifact_location="file:///tmp/mlflowd-e2e-not-used"),
        get_exp("e2"),
    ]),
    Case("experiment_create_errors", [
        new_exp(),
        POST("experiments/create", {"name": "$P"}, compare=NO_MESSAGE, reason=SQL_TEXT),
        POST("experiments/create", {}),
        POST("experiments/create", {"name": ""}),
        POST("experiments/create", {"name": "x" * 501}),
        POST("experiments/create", {"name": 12}),
        POST("experiments/create", {"name": "$P-http", "artifact_location": "http://example.com/a"}),
        POST("experiments/create", {"name": "$P-tags", "tags": [{"key": "", "value": "v"}]}),
        POST("experiments/create", {"name": "$P-tags2", "tags": [{"key": "k", "value": "v" * 20001}]}),
        GET("experiments/search", {"max_results": 100, "filter": "name LIKE '$P%'"}),
    ]),
    Case("experiment_create_name_lengths", [
        POST("experiments/create", {"name": "$P-" + "n" * 220}, save={"exp": "experiment_id"}),
        get_exp(),
        # 256 fits the column on both backends; 300 passes validation (limit 500) but exceeds
        # PostgreSQL's varchar(256) (reference: 400 BAD_REQUEST), SQLite does not enforce it.
        POST("experiments/create", {"name": "N" * 256}, save={"e2": "experiment_id"}),
        POST("experiments/create", {"name": "$P-" + "n" * 300}, save={"e3": "experiment_id"},
             compare=NO_MESSAGE, reason=SQL_TEXT),
    ]),
    Case("experiment_get_errors", [
        GET("experiments/get", {"experiment_id": "987654321"}),
        GET("experiments/get", {"experiment_id": "abc"}),
        GET("experiments/get", {}),
        GET("experiments/get", {"experiment_id": ""}),
        GET("experiments/get-by-name", {"experiment_name": "$P-missing"}),
        GET("experiments/get-by-name", {}),
    ]),

    # ---------------- experiments/search ----------------
    Case("experiment_search", [
        new_exp("$P-a", "e1", tags=[{"key": "g", "value": "x"}]),
        new_exp("$P-b", "e2", tags=[{"key": "g", "value": "y"}]),
        new_exp("$P-c", "e3"),
        search_exps(order_by=["name DESC"]),
        search_exps(filter="name LIKE '$P%' AND tags.g = 'x'"),
        search_exps(filter="name LIKE '$P%' AND tags.g IS NULL"),
        search_exps(filter="name LIKE '$P%' AND tags.g IS NOT NULL", order_by=["name ASC"]),
        search_exps(filter="name = '$P-b'"),
        search_exps(filter="name != '$P-b' AND name ILIKE '$P%'", order_by=["name"]),
        search_exps(filter="name LIKE '$P%' AND experiment_id = '$e2'"),
        search_exps(filter="name LIKE '$P%' AND creation_time > 0", order_by=["name ASC"]),
        search_exps(filter="name = 'no-such-$P'"),
    ]),
    Case("experiment_search_paging", [
        new_exp("$P-a", "e1"), new_exp("$P-b", "e2"), new_exp("$P-c", "e3"),
        POST("experiments/search", {"max_results": 2, "filter": "name LIKE '$P%'",
                                    "order_by": ["name ASC"]}, save={"tok": "next_page_token"}),
        POST("experiments/search", {"max_results": 2, "filter": "name LIKE '$P%'",
                                    "order_by": ["name ASC"], "page_token": "$tok"}),
        POST("experiments/search", {"max_results": 3, "filter": "name LIKE '$P%'",
                                    "order_by": ["name ASC"]}),
    ]),
    Case("experiment_search_get_and_view_types", [
        new_exp("$P-a", "e1"), new_exp("$P-b", "e2"),
        POST("experiments/delete", {"experiment_id": "$e1"}),
        GET("experiments/search", {"max_results": 10, "filter": "name LIKE '$P%'"}),
        GET("experiments/search", {"max_results": 10, "filter": "name LIKE '$P%'",
                                   "view_type": "DELETED_ONLY"}),
        GET("experiments/search", {"max_results": 10, "filter": "name LIKE '$P%'",
                                   "view_type": "ALL", "order_by": ["name DESC"]}),
        search_exps(view_type="ALL", order_by=["name ASC"]),
        search_exps(view_type=2),
        GET("experiments/search", {"max_results": 10, "filter": "name LIKE '$P%'"},
            prefix="ajax-api"),
        # repeated order_by keys in the query string
        GET("experiments/search",
            query="max_results=10&filter=name%20LIKE%20%27$P%25%27&view_type=ALL"
                  "&order_by=name%20DESC&order_by=experiment_id"),
    ]),
    Case("experiment_search_errors", [
        POST("experiments/search", {}),
        POST("experiments/search", {"max_results": 0}),
        POST("experiments/search", {"max_results": -1}),
        POST("experiments/search", {"max_results": 50001}),
        POST("experiments/search", {"max_results": 50000, "filter": "name = '$P'"}),
        search_exps(filter="name = 'a' OR name = 'b'"),
        search_exps(filter="foo = 'a'"),
        search_exps(filter="name = a"),
        search_exps(filter="creation_time = 'abc'"),
        search_exps(filter="name LIKE"),
        search_exps(order_by=["nope DESC"]),
        search_exps(order_by=["name sideways"]),
        search_exps(order_by=["tags.x"]),
        search_exps(page_token="not-a-token"),
        search_exps(page_token="eyJvZmZzZXQiOiAiYSJ9"),  # {"offset": "a"}
        search_exps(view_type="BOGUS"),
        GET("experiments/search", {"max_results": "abc"}),
    ]),

    # ---------------- experiments delete / restore / update / tags ----------------
    Case("experiment_delete_restore", [
        new_exp(),
        new_run("r1"),
        POST("experiments/delete", {"experiment_id": "$exp"}),
        get_exp(),
        get_run("r1"),
        GET("experiments/get-by-name", {"experiment_name": "$P"}),
        POST("experiments/delete", {"experiment_id": "$exp"}),  # already deleted
        POST("runs/create", {"experiment_id": "$exp", "start_time": 5}),
        POST("experiments/restore", {"experiment_id": "$exp"}),
        get_exp(),
        get_run("r1"),
        POST("experiments/restore", {"experiment_id": "$exp"}),  # already active
    ]),
    Case("experiment_delete_restore_errors", [
        POST("experiments/delete", {"experiment_id": "987654321"}),
        POST("experiments/delete", {"experiment_id": "abc"}),
        POST("experiments/delete", {}),
        POST("experiments/restore", {"experiment_id": "987654321"}),
        POST("experiments/restore", {}),
        POST("experiments/delete", {"experiment_id": "0"}),
        GET("experiments/get", {"experiment_id": "0"}),
        POST("experiments/restore", {"experiment_id": "0"}),
    ]),
    Case("experiment_update_rename", [
        new_exp(),
        new_exp("$P-other", "e2"),
        POST("experiments/update", {"experiment_id": "$exp", "new_name": "$P-renamed"}),
        get_exp(),
        GET("experiments/get-by-name", {"experiment_name": "$P"}),
        POST("experiments/update", {"experiment_id": "$exp", "new_name": "$P-other"},
             compare=NO_MESSAGE, reason=SQL_TEXT),
        POST("experiments/update", {"experiment_id": "$exp", "new_name": ""}),
        POST("experiments/update", {"experiment_id": "$exp"}),
        POST("experiments/update", {"experiment_id": "987654321", "new_name": "$P-x"}),
        POST("experiments/update", {"new_name": "$P-y"}),
        POST("experiments/delete", {"experiment_id": "$e2"}),
        POST("experiments/update", {"experiment_id": "$e2", "new_name": "$P-z"}),
        get_exp(),
    ]),
    Case("experiment_tags", [
        new_exp(),
        POST("experiments/set-experiment-tag", {"experiment_id": "$exp", "key": "k", "value": "v"}),
        POST("experiments/set-experiment-tag", {"experiment_id": "$exp", "key": "k", "value": "v2"}),
        POST("experiments/set-experiment-tag", {"experiment_id": "$exp", "key": "e", "value": ""}),
        POST("experiments/set-experiment-tag", {"experiment_id": "$exp", "key": "n"}),
        get_exp(),
        POST("experiments/delete-experiment-tag", {"experiment_id": "$exp", "key": "k"}),
        get_exp(),
        POST("experiments/delete-experiment-tag", {"experiment_id": "$exp", "key": "k"}),
        POST("experiments/delete-experiment-tag", {"experiment_id": "$exp"}),
        POST("experiments/delete-experiment-tag", {"experiment_id": "987654321", "key": "k"}),
    ]),
    Case("experiment_tag_errors", [
        new_exp(),
        POST("experiments/set-experiment-tag", {"experiment_id": "$exp", "value": "v"}),
        POST("experiments/set-experiment-tag", {"experiment_id": "$exp", "key": "", "value": "v"}),
        POST("experiments/set-experiment-tag", {"experiment_id": "$exp", "key": "k" * 251,
                                                "value": "v"}),
        POST("experiments/set-experiment-tag", {"experiment_id": "$exp", "key": "k",
                                                "value": "v" * 20001}),
        POST("experiments/set-experiment-tag", {"experiment_id": "$exp", "key": "k",
                                                "value": "v" * 20000}),
        POST("experiments/set-experiment-tag", {"experiment_id": "987654321", "key": "k",
                                                "value": "v"}),
        POST("experiments/set-experiment-tag", {"key": "k", "value": "v"}),
        POST("experiments/delete", {"experiment_id": "$exp"}),
        POST("experiments/set-experiment-tag", {"experiment_id": "$exp", "key": "k2",
                                                "value": "v"}),
        get_exp(),
    ]),
]
