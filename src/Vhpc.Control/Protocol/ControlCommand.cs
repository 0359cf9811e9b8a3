namespace Vhpc.Control.Protocol;

/// <summary>What a client asks vhpcd to do; one command per connection.</summary>
public enum ControlCommand
{
    /// <summary>The cluster files vhpcd has loaded, with their load errors.</summary>
    List,

    /// <summary>The load errors of one cluster file (the one vhpcd last tried to read).</summary>
    Validate,

    Plan,
    Apply,
    Destroy,
    Status,

    /// <summary>Every progress event of every cluster until the client disconnects.</summary>
    Watch,

    /// <summary>Where a node is and how to reach it over SSH (for `vhpc ssh`).</summary>
    NodeAccess,

    /// <summary>The tail of a node's serial console log.</summary>
    Console,

    /// <summary>`vhpc check`: prove the configured cluster works (progress lines per check, then the report).</summary>
    Check,
}
