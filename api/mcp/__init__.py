"""The MCP door: the agent tools of ``api.agent.registry`` served with the official ``mcp`` SDK."""
