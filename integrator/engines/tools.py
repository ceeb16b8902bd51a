"""Where IREE's command-line tools are: the ones of the installed ``iree-base-compiler`` wheel."""


def tool(name: str) -> str:
    """The path of an IREE command-line tool (iree-compile, iree-opt, ...)."""
    from iree.compiler.tools import binaries

    return binaries.find_tool(name)
