"""Word and sentence banks the seed text is built from, so demo data reads like real notes."""

from __future__ import annotations

from dataclasses import dataclass


def words(text: str) -> tuple[str, ...]:
    """A bank written as one `|`-separated string: compact, and stable under the formatter."""
    return tuple(w.strip() for w in text.split("|") if w.strip())


GENERAL_SECTIONS = words(
    "Background | Problem | Proposal | Details | Rollout plan | Risks | Open questions | Next steps"
)
POSTMORTEM_SECTIONS = words("Summary | Timeline | Impact | Root cause | What went well | Actions")


@dataclass(frozen=True)
class Topic:
    """One area of the knowledge base: where its documents live and what they discuss."""

    key: str
    collection: tuple[str, ...]
    subjects: tuple[str, ...]
    tags: tuple[str, ...]
    sections: tuple[str, ...] = GENERAL_SECTIONS


def topic(key: str, path: str, subjects: str, tags: str, **extra: tuple[str, ...]) -> Topic:
    return Topic(key, words(path.replace(">", "|")), words(subjects), words(tags), **extra)


TOPICS: tuple[Topic, ...] = (
    topic(
        "databases",
        "Engineering > Backend > Databases",
        "query planning | connection pooling | index bloat | schema migrations"
        " | logical replication | vacuum tuning | table partitioning | read replicas",
        "postgresql | databases | performance | migrations",
    ),
    topic(
        "apis",
        "Engineering > Backend > APIs",
        "GraphQL pagination | API versioning | rate limiting | idempotency keys"
        " | error handling | webhook delivery | batch endpoints",
        "graphql | api | python",
    ),
    topic(
        "architecture",
        "Engineering > Architecture",
        "event sourcing | the monolith split | message queues | the caching strategy"
        " | multi-tenancy | background jobs",
        "architecture | adr | kafka | redis",
    ),
    topic(
        "frontend",
        "Engineering > Frontend > Design System",
        "the component library | accessibility audits | bundle size | form validation"
        " | client-side state | design tokens",
        "frontend | typescript | react | accessibility",
    ),
    topic(
        "kubernetes",
        "Engineering > Infrastructure > Kubernetes",
        "cluster upgrades | autoscaling | container images | secrets management"
        " | resource limits | ingress configuration",
        "kubernetes | infrastructure | security | terraform",
    ),
    topic(
        "observability",
        "Engineering > Infrastructure > Observability",
        "structured logging | distributed tracing | SLO dashboards | alert fatigue"
        " | metrics cardinality",
        "observability | monitoring | on-call",
    ),
    topic(
        "incidents",
        "Operations > Incidents",
        "the checkout outage | a cache stampede | a failed deploy | a DNS misconfiguration"
        " | an expired certificate | the search index corruption",
        "incident | postmortem | reliability",
        sections=POSTMORTEM_SECTIONS,
    ),
    topic(
        "runbooks",
        "Operations > Runbooks",
        "database failover | credential rotation | restoring backups"
        " | scaling the queue workers | draining a node",
        "runbook | on-call | reliability",
    ),
    topic(
        "roadmaps",
        "Product > Roadmaps",
        "search improvements | the onboarding flow | usage-based billing | the mobile app"
        " | team workspaces",
        "roadmap | product | planning",
    ),
    topic(
        "research",
        "Product > Research",
        "user interviews | churn analysis | pricing experiments | the activation funnel",
        "research | analytics | product",
    ),
    topic(
        "onboarding",
        "People > Onboarding",
        "your first week | the development environment | code review | the release process",
        "onboarding | process | documentation",
    ),
    topic(
        "hiring",
        "People > Hiring",
        "interview loops | take-home exercises | leveling guidelines",
        "hiring | process",
    ),
)

TITLES = words(
    "A practical guide to {subject} | How we handle {subject} | Notes on {subject}"
    " | Why we changed {subject} | {Subject}: lessons learned | RFC: rethinking {subject}"
    " | Troubleshooting {subject} | {Subject} checklist | {Subject} in five minutes"
    " | What we know about {subject}"
)
POSTMORTEM_TITLES = words("Postmortem: {subject} | Incident review: {subject}")

SENTENCES = (
    "The {team} team owns {subject} and reviews every change to it in the weekly sync.",
    "Before touching {subject}, check the {metric} dashboard and write down the baseline.",
    "We measured a {percent}% drop in {metric} after rolling the change out to {scope}.",
    "If {symptom}, the first thing to check is {check}.",
    "{person} suggested that we {action} before the next release.",
    "This approach trades some {tradeoff} for much better {benefit}.",
    "Most of the complexity comes from {complexity}, not from {subject} itself.",
    "We keep the configuration in {tool} so that every environment stays reproducible.",
    "The short version: {advice}.",
    "In practice the trouble with {subject} is boring: {failure}, {failure2} and, now and then,"
    " {failure3}.",
    "Open question: should we {action} now, or wait until {timeframe}?",
    "A good rule of thumb is to {advice}.",
    "{person} and the {team} team paired on this for two days and wrote up what they found.",
    "The old setup worked until {metric} grew past what a single instance could handle.",
    "We decided against a rewrite; small reversible steps were cheaper and safer.",
    "Nobody should need to read the source to understand {subject}, so this page exists.",
    "Expect {metric} to move within {soon} of a deploy; anything later is unrelated.",
    "When in doubt, ask in the {team} channel rather than guessing.",
    "The alert fires when {symptom}; it is noisy, and tuning it is on the list.",
    "We revisit this decision every quarter, or sooner if {metric} doubles.",
)
BULLETS = (
    "Owner: the {team} team",
    "Watch {metric} for at least {soon} after the change",
    "Roll back if {symptom}",
    "Link the pull request and the ticket here",
    "Ask {person} before changing {subject}",
    "Keep {tool} as the single source of truth",
    "Next review: {timeframe}",
)

SLOTS: dict[str, tuple[str, ...]] = {
    "team": words(
        "platform | data | payments | search | growth | infrastructure | developer experience"
        " | mobile | security"
    ),
    "metric": words(
        "p99 latency | error rate | queue depth | CPU usage | cache hit ratio | deploy frequency"
        " | build time | replication lag | memory usage"
    ),
    "scope": words(
        "ten percent of traffic | the staging cluster | every tenant | the EU region"
        " | internal users first"
    ),
    "symptom": words(
        "requests start timing out | the queue keeps growing"
        " | replication lag climbs above a minute | deploys hang at the health check"
        " | memory usage grows steadily | error rates spike after a deploy"
    ),
    "check": words(
        "the connection pool metrics | the most recent deploys | the slow query log"
        " | the autoscaler events | the upstream status page | disk usage on the primary"
    ),
    "action": words(
        "add a feature flag | write a migration plan | split the work into smaller changes"
        " | benchmark the new version | document the rollback steps"
        " | pair with the on-call engineer | add an alert for it | archive the old runbook"
    ),
    "tradeoff": words(
        "simplicity | latency | throughput | consistency | flexibility | operational cost"
        " | developer time"
    ),
    "complexity": words(
        "the edge cases around retries | keeping old clients working | migrating the existing data"
        " | coordinating across teams | testing against production-like data"
    ),
    "tool": words(
        "Terraform | Git | the shared config repository | Helm charts | environment variables"
    ),
    "failure": words(
        "timeouts | stale caches | misconfigured limits | expired certificates | full disks"
        " | noisy neighbours | forgotten feature flags"
    ),
    "advice": words(
        "measure before you optimise | make every change reversible | prefer boring technology"
        " | write the runbook before the incident | keep the blast radius small"
        " | automate the second time you do something by hand"
    ),
    "timeframe": words(
        "the next quarter | after the code freeze | the end of the sprint"
        " | the platform migration lands"
    ),
    "soon": words("five minutes | ten minutes | half an hour | an hour"),
}

CODE_SNIPPETS = (
    (
        "sql",
        "SELECT relname, n_dead_tup\nFROM pg_stat_user_tables\nORDER BY n_dead_tup DESC\nLIMIT 10;",
    ),
    ("bash", "kubectl rollout status deploy/api --timeout=5m\nkubectl get pods -l app=api"),
    (
        "python",
        "async def handler(request):\n    async with db.transaction() as session:\n"
        "        return await documents.page(session, first=50)",
    ),
    ("graphql", "query {\n  documents(first: 10) {\n    edges { node { title } }\n  }\n}"),
    ("yaml", "resources:\n  requests:\n    cpu: 250m\n    memory: 256Mi"),
)

COMMENTS = (
    "Is this still accurate after the last migration?",
    "Can we link the dashboard here?",
    "This tripped me up during onboarding; worth a diagram.",
    "Agreed, but we should measure it first.",
    "Who owns this now that the team split?",
    "Nice summary. Adding this to the on-call handbook.",
    "I think the number is out of date; please double-check.",
    "We should turn this into a checklist.",
)

FIRST_NAMES = words(
    "Ada | Grace | Linus | Margaret | Alan | Barbara | Ken | Radia | Dennis | Frances | Tim"
    " | Katherine | Edsger | Hedy | Donald | Sophie | Annie | Guido | Anita | Niklaus | Mary"
    " | Brian | Leslie | Jean | Shafi | Priya | Tomás | Aiko | Kwame | Ingrid | Mateo | Zanele"
    " | Oskar | Leila | Ravi | Mei"
)
LAST_NAMES = words(
    "Lovelace | Hopper | Torvalds | Hamilton | Turing | Liskov | Thompson | Perlman | Ritchie"
    " | Allen | Berners-Lee | Johnson | Dijkstra | Lamarr | Knuth | Wilson | Easley | van Rossum"
    " | Borg | Wirth | Shaw | Kernighan | Lamport | Bartik | Goldwasser | Raman | Okafor"
    " | Tanaka | Mensah | Lindqvist | García | Dlamini | Nowak | Haddad | Iyer | Chen"
)
JOB_TITLES = words(
    "Staff Engineer | Engineering Manager | Product Manager | Site Reliability Engineer"
    " | Data Scientist | Designer | Security Engineer | Tech Lead"
)
TECHNOLOGIES = words(
    "PostgreSQL | Redis | Kafka | Kubernetes | Terraform | Python | TypeScript | React | GraphQL"
    " | gRPC | Docker | Prometheus | Grafana | OpenTelemetry | Elasticsearch | RabbitMQ | Nginx"
    " | Envoy | Helm | Argo CD | GitHub Actions | Sentry | Vault | pgvector | SQLAlchemy"
    " | Starlette | Celery | ClickHouse | S3 | CloudFront | Go | Rust | WebSockets | Vite"
    " | Playwright | Ansible | etcd | MinIO | Jaeger | Loki"
)
CONCEPTS = words(
    "eventual consistency | idempotency | backpressure | circuit breaker | blue-green deployment"
    " | canary release | feature flags | rate limiting | sharding | replication"
    " | cache invalidation | service level objective | error budget | observability"
    " | technical debt | schema evolution | zero-downtime migration | optimistic locking"
    " | keyset pagination | row-level security | multi-tenancy | event sourcing | CQRS"
    " | dependency injection | infrastructure as code | chaos engineering | least privilege"
    " | secret rotation | load shedding | graceful degradation | vector search"
    " | full-text search | data retention | access control | code review | pair programming"
    " | on-call rotation | postmortem culture | continuous delivery | trunk-based development"
)
PROJECT_NAMES = words(
    "Atlas | Beacon | Compass | Delta | Ember | Falcon | Granite | Harbor | Iris | Juniper"
    " | Keystone | Lantern | Meridian | Nimbus | Orbit | Pioneer | Quartz | Relay | Summit"
    " | Tidal | Umbra | Vertex | Willow | Zephyr"
)
PROJECT_SUFFIXES = ("", " v2", " Migration", " Platform", " Pilot")
