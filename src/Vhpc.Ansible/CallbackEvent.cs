using System.Globalization;
using System.Text.Json;

namespace Vhpc.Ansible;

/// <summary>Status of one task on one host, as the vhpc_json callback reports it.</summary>
internal enum HostTaskStatus
{
    Ok,
    Changed,
    Failed,
    Unreachable,
    Skipped,
}

/// <summary>
/// One line of the vhpc_json callback (deploy/ansible/callback_plugins/vhpc_json.py). The line
/// format is the contract between that plugin and this parser: fields are added, never renamed.
/// </summary>
internal abstract record CallbackEvent
{
    /// <summary>Parses one stdout line; null when it is not a callback event (a stray print, a warning).</summary>
    public static CallbackEvent? TryParse(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        var text = line.Trim();
        if (text.Length == 0 || text[0] != '{')
            return null;
        try
        {
            using var document = JsonDocument.Parse(text);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                return null;
            return String(root, "event") switch
            {
                "playbook_start" => new PlaybookStarted(String(root, "playbook"), Int(root, "plays") ?? 0),
                "play_start" => new PlayStarted(String(root, "play") ?? "", Int(root, "play_index") ?? -1, Int(root, "plays") ?? 0),
                "play_end" => new PlayEnded(String(root, "play") ?? "", Int(root, "play_index") ?? -1),
                "no_hosts" => new NoHostsMatched(String(root, "play") ?? "", Int(root, "play_index") ?? -1),
                "task_start" => new TaskStarted(String(root, "play") ?? "", Int(root, "play_index") ?? -1,
                    String(root, "task") ?? "", String(root, "action") ?? "", Bool(root, "handler")),
                "host_result" => ParseHostResult(root),
                "stats" => ParseStats(root),
                _ => null,
            };
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static HostResult? ParseHostResult(JsonElement root)
    {
        var host = String(root, "host");
        HostTaskStatus? status = String(root, "status") switch
        {
            "ok" => HostTaskStatus.Ok,
            "changed" => HostTaskStatus.Changed,
            "failed" => HostTaskStatus.Failed,
            "unreachable" => HostTaskStatus.Unreachable,
            "skipped" => HostTaskStatus.Skipped,
            _ => null,
        };
        if (host is null || status is null)
            return null;
        return new HostResult(host, String(root, "task") ?? "", String(root, "play") ?? "", Int(root, "play_index") ?? -1,
            status.Value, String(root, "msg"), Bool(root, "ignored"), Bool(root, "censored"), String(root, "delegated_to"));
    }

    private static PlaybookStats? ParseStats(JsonElement root)
    {
        if (!root.TryGetProperty("hosts", out var hosts) || hosts.ValueKind != JsonValueKind.Object)
            return null;
        var result = new Dictionary<string, HostStats>(StringComparer.Ordinal);
        foreach (var host in hosts.EnumerateObject())
        {
            var s = host.Value;
            if (s.ValueKind != JsonValueKind.Object)
                continue;
            result[host.Name] = new HostStats(Int(s, "ok") ?? 0, Int(s, "changed") ?? 0, Int(s, "failures") ?? 0,
                Int(s, "unreachable") ?? 0, Int(s, "skipped") ?? 0, Int(s, "rescued") ?? 0, Int(s, "ignored") ?? 0);
        }
        return new PlaybookStats(result);
    }

    private static string? String(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) ? v.ValueKind switch
        {
            JsonValueKind.String => v.GetString(),
            JsonValueKind.Number => v.GetRawText(),
            _ => null,
        } : null;

    private static int? Int(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var i) ? i
        : e.TryGetProperty(name, out v) && v.ValueKind == JsonValueKind.String
            && int.TryParse(v.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out i) ? i : null;

    private static bool Bool(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.True;
}

internal sealed record PlaybookStarted(string? Playbook, int Plays) : CallbackEvent;

internal sealed record PlayStarted(string Play, int PlayIndex, int Plays) : CallbackEvent;

internal sealed record PlayEnded(string Play, int PlayIndex) : CallbackEvent;

internal sealed record NoHostsMatched(string Play, int PlayIndex) : CallbackEvent;

internal sealed record TaskStarted(string Play, int PlayIndex, string Task, string Action, bool Handler) : CallbackEvent;

internal sealed record HostResult(
    string Host,
    string Task,
    string Play,
    int PlayIndex,
    HostTaskStatus Status,
    string? Message,
    bool Ignored,
    bool Censored,
    string? DelegatedTo) : CallbackEvent;

internal sealed record PlaybookStats(IReadOnlyDictionary<string, HostStats> Hosts) : CallbackEvent;

/// <summary>Ansible's recap counters for one host.</summary>
internal sealed record HostStats(int Ok, int Changed, int Failures, int Unreachable, int Skipped, int Rescued, int Ignored);
