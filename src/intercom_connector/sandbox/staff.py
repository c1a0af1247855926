"""The workspace's admins and teams, seeded with the state itself: ``/me`` answers from them.

They draw from their own random stream and no shared counter, so seeding them before the
other records (``seeding.seed_records``, on first use) gives the workspace it always did.
"""

from __future__ import annotations

import random

from .state import Admin, SandboxState, Team

FIRST_NAMES = (
    "Ada",
    "Alan",
    "Grace",
    "Linus",
    "Margaret",
    "Ken",
    "Barbara",
    "Dennis",
    "Frances",
    "Edsger",
    "Radia",
    "Tim",
    "Hedy",
    "John",
    "Katherine",
    "Donald",
    "Sophie",
    "Niklaus",
    "Anita",
    "Bjarne",
)
LAST_NAMES = (
    "Lovelace",
    "Turing",
    "Hopper",
    "Torvalds",
    "Hamilton",
    "Thompson",
    "Liskov",
    "Ritchie",
    "Allen",
    "Dijkstra",
    "Perlman",
    "Berners-Lee",
    "Lamarr",
    "Backus",
    "Johnson",
    "Knuth",
    "Wilson",
    "Wirth",
    "Borg",
    "Stroustrup",
)
TEAM_NAMES = ("Support", "Sales", "Success", "Billing", "Engineering")
JOB_TITLES = ("Support engineer", "Account manager", "Team lead", "Product specialist")


def seed_staff(state: SandboxState) -> None:
    config = state.seed_config
    rng = random.Random(f"admins:{config.seed}")
    for i in range(config.admins):
        first, last = FIRST_NAMES[i % len(FIRST_NAMES)], LAST_NAMES[(i * 7) % len(LAST_NAMES)]
        admin_id = str(991_267_400 + i)
        state.admins[admin_id] = Admin(
            id=admin_id,
            name=f"{first} {last}",
            email=f"{first.lower()}.{last.lower()}@{state.workspace.id_code}.example",
            job_title=rng.choice(JOB_TITLES),
        )
    admins = list(state.admins.values())
    for t in range(config.teams):
        team_id = str(5_017_690 + t)
        name = TEAM_NAMES[t] if t < len(TEAM_NAMES) else f"Team {t + 1}"
        members = admins[t % len(admins) :: max(config.teams, 1)] or admins[:1]
        state.teams[team_id] = Team(team_id, name, [int(a.id) for a in members])
        for admin in members:
            admin.team_ids.append(int(team_id))
