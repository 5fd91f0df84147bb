"""Human output (rich) and --json output. Core modules never print."""
