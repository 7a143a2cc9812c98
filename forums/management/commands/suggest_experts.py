"""`manage.py suggest_experts --edition ID [--count N] [--session ID]`: the experts to invite to
an edition, ranked, with the reasons (forums.recommend). `--evaluate [--k K]`: the held-out
check on past editions against the "most recent invitees" and "random" baselines."""

from django.core.management.base import BaseCommand, CommandError

from forums.models import Edition, Session
from forums.recommend import Weights, load_pool, suggest
from forums.recommend.evaluation import evaluate


class Command(BaseCommand):
    help = (
        "Print the experts to invite to an edition, ranked with reasons, or evaluate the ranking."
    )

    def add_arguments(self, parser):
        parser.add_argument("--edition", type=int, help="Edition id")
        parser.add_argument("--count", type=int, default=Weights.count, help="How many (20)")
        parser.add_argument("--session", type=int, help="Rank for this session's topic only")
        parser.add_argument(
            "--evaluate",
            action="store_true",
            help="Held-out check on the editions with invitations",
        )
        parser.add_argument("--k", type=int, default=10, help="k of precision at k (10)")
        parser.add_argument("--seed", type=int, default=12, help="Seed of the random baseline")

    def handle(self, *args, **options):
        if options["evaluate"]:
            return self._evaluate(options["k"], options["seed"])
        if options["edition"] is None:
            raise CommandError("Give --edition ID (or --evaluate).")
        if options["count"] < 1:
            raise CommandError("--count must be at least 1.")
        edition = Edition.objects.select_related("forum").filter(pk=options["edition"]).first()
        if edition is None:
            raise CommandError(f"No edition with id {options['edition']}.")
        session = None
        if options["session"] is not None:
            session = Session.objects.filter(pk=options["session"], edition=edition).first()
            if session is None:
                raise CommandError(f"No session {options['session']} in {edition}.")
        pool = load_pool(edition, session=session)
        suggestions = suggest(pool, Weights(count=options["count"]))
        self.stdout.write(
            f"{edition}{f' — {session}' if session else ''}: {len(suggestions)} suggestions "
            f"among {len(pool.candidates)} experts not invited ({len(pool.invited)} invited)"
        )
        for rank, s in enumerate(suggestions, 1):
            self.stdout.write(
                f"{rank:>3}. {s.profile.name} ({s.profile.country or '-'}, "
                f"{s.profile.institution or '-'}) {s.score:.2f}: {s.reason}"
            )

    def _evaluate(self, k: int, seed: int):
        if k < 1:
            raise CommandError("--k must be at least 1.")
        result = evaluate(k=k, seed=seed)
        if not result.results:
            self.stdout.write("No edition with enough invitations to evaluate.")
            return
        self.stdout.write(
            f"Held-out check on {len(result.results)} editions (their invitees hidden, history "
            f"before each edition only), k={k}:"
        )
        for r in result.results:
            hits = ", ".join(f"{m} {r.hits_at_k[m]}/{r.hits_at_2k[m]}" for m in r.hits_at_k)
            self.stdout.write(
                f"  {r.edition}: {r.invitees} invitees; hits top {k}/top {2 * k}: {hits}"
            )
        self.stdout.write(result.table())
