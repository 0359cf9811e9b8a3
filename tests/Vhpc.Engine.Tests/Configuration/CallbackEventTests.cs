using Vhpc.Ansible;
using Vhpc.Testing;

namespace Vhpc.Engine.Tests.Configuration;

[Tier(TestTier.Unit)]
public class CallbackEventTests
{
    // Lines as the real plugin printed them (deploy/ansible/callback_plugins/vhpc_json.py).
    [Fact]
    public void Parses_playbook_play_and_task_starts()
    {
        Assert.Equal(new PlaybookStarted("pb.yml", 2),
            CallbackEvent.TryParse("""{"event": "playbook_start", "playbook": "pb.yml", "plays": 2}"""));
        Assert.Equal(new PlayStarted("Last", 1, 2),
            CallbackEvent.TryParse("""{"event": "play_start", "play": "Last", "play_index": 1, "plays": 2}"""));
        Assert.Equal(new TaskStarted("First", 0, "Hello", "ansible.builtin.command", false),
            CallbackEvent.TryParse("""{"action": "ansible.builtin.command", "event": "task_start", "handler": false, "play": "First", "play_index": 0, "task": "Hello"}"""));
    }

    [Fact]
    public void Parses_host_results_of_every_status()
    {
        var unreachable = Assert.IsType<HostResult>(CallbackEvent.TryParse(
            """{"event": "host_result", "host": "c", "msg": "Failed to connect to the host via ssh: ssh: connect to host 127.0.0.1 port 1: Connection refused", "play": "First", "play_index": 0, "status": "unreachable", "task": "Hello"}"""));
        Assert.Equal(HostTaskStatus.Unreachable, unreachable.Status);
        Assert.Equal("c", unreachable.Host);
        Assert.Contains("Connection refused", unreachable.Message, StringComparison.Ordinal);

        var failed = Assert.IsType<HostResult>(CallbackEvent.TryParse(
            """{"event": "host_result", "host": "b", "ignored": false, "msg": "boom on b", "play": "First", "play_index": 0, "status": "failed", "task": "Fail on b"}"""));
        Assert.Equal((HostTaskStatus.Failed, "Fail on b", "boom on b", false), (failed.Status, failed.Task, failed.Message, failed.Ignored));

        var censored = Assert.IsType<HostResult>(CallbackEvent.TryParse(
            """{"censored": true, "event": "host_result", "host": "b", "play": "First", "play_index": 0, "status": "changed", "task": "Secret"}"""));
        Assert.True(censored.Censored);
        Assert.Equal(HostTaskStatus.Changed, censored.Status);

        var delegated = Assert.IsType<HostResult>(CallbackEvent.TryParse(
            """{"delegated_to": "a", "event": "host_result", "host": "a", "play": "First", "play_index": 0, "status": "ok", "task": "Delegated"}"""));
        Assert.Equal("a", delegated.DelegatedTo);

        Assert.Equal(HostTaskStatus.Skipped, Assert.IsType<HostResult>(CallbackEvent.TryParse(
            """{"event": "host_result", "host": "a", "play": "First", "play_index": 0, "status": "skipped", "task": "x"}""")).Status);
    }

    [Fact]
    public void Parses_stats()
    {
        var stats = Assert.IsType<PlaybookStats>(CallbackEvent.TryParse(
            """{"event": "stats", "hosts": {"a": {"changed": 1, "failures": 0, "ignored": 0, "ok": 4, "rescued": 0, "skipped": 1, "unreachable": 0}, "c": {"changed": 0, "failures": 0, "ignored": 0, "ok": 0, "rescued": 0, "skipped": 0, "unreachable": 1}}}"""));
        Assert.Equal(new HostStats(4, 1, 0, 0, 1, 0, 0), stats.Hosts["a"]);
        Assert.Equal(1, stats.Hosts["c"].Unreachable);
    }

    [Theory]
    [InlineData("")]
    [InlineData("PLAY [x] ****")]
    [InlineData("[WARNING]: something")]
    [InlineData("{not json")]
    [InlineData("""{"event": "unknown_thing"}""")]
    [InlineData("""{"event": "host_result", "status": "ok"}""")]
    [InlineData("""{"event": "host_result", "host": "a", "status": "weird"}""")]
    [InlineData("[1, 2]")]
    public void Anything_else_is_not_an_event(string line) => Assert.Null(CallbackEvent.TryParse(line));
}
