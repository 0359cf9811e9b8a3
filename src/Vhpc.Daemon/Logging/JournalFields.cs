namespace Vhpc.Daemon.Logging;

/// <summary>The fields every vhpcd journal entry may carry besides its placeholders.</summary>
internal static class JournalFields
{
    public const string Message = "MESSAGE";
    public const string Priority = "PRIORITY";
    public const string SyslogIdentifier = "SYSLOG_IDENTIFIER";
    public const string Exception = "EXCEPTION";
    public const string ExceptionType = "EXCEPTION_TYPE";

    /// <summary>vhpcd's own fields; placeholders never produce names with this prefix.</summary>
    public const string Prefix = "VHPC_";
    public const string Cluster = "VHPC_CLUSTER";
    public const string Node = "VHPC_NODE";
    public const string Step = "VHPC_STEP";
    public const string EventId = "VHPC_EVENT_ID";
    public const string EventName = "VHPC_EVENT_NAME";
    public const string Category = "VHPC_CATEGORY";
}
