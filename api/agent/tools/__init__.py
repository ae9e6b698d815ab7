"""The agent's tools: importing this package registers each of them in ``api.agent.registry.TOOLS``."""

from api.agent.tools import billing, documents, jobs, outreach, pipeline  # noqa: F401
