using System.Text.Json;

using Vhpc.Testing;

namespace Vhpc.Engine.Tests.Configuration;

/// <summary>
/// deploy/ansible/library/vhpc_files.py through real ansible-playbook on this machine: files written
/// whole with owner and mode, only when they differ (a second run changes nothing), metadata fixed
/// without rewriting, binary content from base64, on_change words only for changed files, check
/// mode writing nothing, and a clear failure that names the file.
/// </summary>
[Tier(TestTier.Unit)]
public sealed class VhpcFilesModuleTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("vhpc-files-module-").FullName;
    private readonly string _user = Environment.UserName;

    private (int Code, string Output, JsonElement? Result) Run(string files, bool check = false)
    {
        var ansiblePlaybook = AnsibleTools.Require("ansible-playbook", "ansible-core");
        File.WriteAllText(Path.Combine(_dir, "isolated.cfg"), "[defaults]\n");
        var resultPath = Path.Combine(_dir, "result.json");
        File.Delete(resultPath);
        File.WriteAllText(Path.Combine(_dir, "files.yml"), $$$"""
            - name: Write files
              hosts: localhost
              connection: local
              gather_facts: false
              tasks:
                - name: The files
                  vhpc_files:
                    files: {{{files}}}
                  register: written
                - name: Keep the result
                  ansible.builtin.copy:
                    content: "{{ written | to_json }}"
                    dest: {{{resultPath}}}
                    mode: "0600"
                  check_mode: false
            """);
        var arguments = new List<string> { "-i", "localhost,", "files.yml" };
        if (check)
            arguments.Insert(0, "--check");
        var (code, output) = AnsibleTools.Run(ansiblePlaybook, _dir, new Dictionary<string, string>
        {
            ["ANSIBLE_HOME"] = Path.Combine(_dir, "home"),
            ["ANSIBLE_LIBRARY"] = Path.Combine(RepositoryPaths.AnsibleDirectory, "library"),
            ["ANSIBLE_CONFIG"] = Path.Combine(_dir, "isolated.cfg"),
            ["ANSIBLE_LOCALHOST_WARNING"] = "False",
        }, [.. arguments]);
        if (!File.Exists(resultPath))
            return (code, output, null);
        using var json = JsonDocument.Parse(File.ReadAllText(resultPath));
        return (code, output, json.RootElement.Clone());
    }

    private static string Spec(params string[] entries) => "[" + string.Join(", ", entries) + "]";

    private string Text(string name, string content, string mode, string onChange = "[]") =>
        $$"""{ path: "{{Path.Combine(_dir, name)}}", content_base64: "{{Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(content))}}", owner: "{{_user}}", group: "{{Group()}}", mode: "{{mode}}", on_change: {{onChange}} }""";

    private static string Group() => AnsibleTools.Run("id", "/", null, "-gn").Output.Trim();

    private static string[] Words(JsonElement result, string property) =>
        result.GetProperty(property).EnumerateArray().Select(e => e.GetString()!).ToArray();

    [Fact]
    public void Writes_only_what_differs_and_says_what_changed()
    {
        var spec = Spec(Text("a.conf", "alpha\n", "0644", "[restart:a.service]"), Text("secret", "s3cret\n", "0600", "[restart:b.service, restart:a.service]"));
        var first = Run(spec);
        Assert.True(first.Code == 0, first.Output);
        Assert.True(first.Result!.Value.GetProperty("changed").GetBoolean());
        Assert.Equal(["restart:a.service", "restart:b.service"], Words(first.Result.Value, "on_change"));
        Assert.Equal("alpha\n", File.ReadAllText(Path.Combine(_dir, "a.conf")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(_dir, "secret")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead, File.GetUnixFileMode(Path.Combine(_dir, "a.conf")));
        Assert.DoesNotContain("s3cret", first.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String("s3cret\n"u8.ToArray()), first.Output, StringComparison.Ordinal);

        var second = Run(spec);
        Assert.True(second.Code == 0, second.Output);
        Assert.False(second.Result!.Value.GetProperty("changed").GetBoolean());
        Assert.Empty(Words(second.Result.Value, "changed_paths"));
        Assert.Empty(Words(second.Result.Value, "on_change"));

        // One file changed by hand: only it is rewritten, only its words come back.
        File.WriteAllText(Path.Combine(_dir, "a.conf"), "drift\n");
        var third = Run(spec);
        Assert.Equal([Path.Combine(_dir, "a.conf")], Words(third.Result!.Value, "changed_paths"));
        Assert.Equal(["restart:a.service"], Words(third.Result.Value, "on_change"));
        Assert.Equal("alpha\n", File.ReadAllText(Path.Combine(_dir, "a.conf")));
        Assert.Empty(Directory.GetFiles(_dir, "*.vhpc"));
    }

    [Fact]
    public void Fixes_a_mode_without_rewriting_and_writes_binary_content()
    {
        var bytes = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();
        var binary = $$"""{ path: "{{Path.Combine(_dir, "key")}}", content_base64: "{{Convert.ToBase64String(bytes)}}", owner: "{{_user}}", group: "{{Group()}}", mode: "0400" }""";
        var first = Run(Spec(binary));
        Assert.True(first.Code == 0, first.Output);
        Assert.Equal(bytes, File.ReadAllBytes(Path.Combine(_dir, "key")));
        Assert.Equal(UnixFileMode.UserRead, File.GetUnixFileMode(Path.Combine(_dir, "key")));

        File.SetUnixFileMode(Path.Combine(_dir, "key"), UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        var inode = Inode(Path.Combine(_dir, "key"));
        var second = Run(Spec(binary));
        Assert.True(second.Result!.Value.GetProperty("changed").GetBoolean());
        Assert.Equal(UnixFileMode.UserRead, File.GetUnixFileMode(Path.Combine(_dir, "key")));
        Assert.Equal(inode, Inode(Path.Combine(_dir, "key")));
    }

    [Fact]
    public void Check_mode_writes_nothing_but_reports_the_change()
    {
        var result = Run(Spec(Text("c.conf", "gamma\n", "0644", "[reload:c.service]")), check: true);
        Assert.True(result.Code == 0, result.Output);
        Assert.False(File.Exists(Path.Combine(_dir, "c.conf")));
        Assert.Equal(["reload:c.service"], Words(result.Result!.Value, "on_change"));
    }

    [Theory]
    [InlineData("missing/x.conf", "0644", "directory")]
    [InlineData("x.conf", "0999", "is not an octal mode")]
    [InlineData("x.conf", "rw-r--r--", "is not an octal mode")]
    public void A_bad_file_fails_with_its_path_and_the_reason(string name, string mode, string reason)
    {
        var result = Run(Spec(Text(name, "x\n", mode)));
        Assert.NotEqual(0, result.Code);
        Assert.Contains(Path.Combine(_dir, name), result.Output, StringComparison.Ordinal);
        Assert.Contains(reason, result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Content_that_is_not_base64_fails_without_showing_it()
    {
        var result = Run(Spec($$"""{ path: "{{Path.Combine(_dir, "b.conf")}}", content_base64: "not base64 at all!", mode: "0644" }"""));
        Assert.NotEqual(0, result.Code);
        Assert.Contains("content_base64 is not base64", result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("not base64 at all!", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_owner_fails_with_its_name()
    {
        var spec = Spec($$"""{ path: "{{Path.Combine(_dir, "o.conf")}}", content_base64: "eA==", owner: "no-such-user-vhpc", mode: "0644" }""");
        var result = Run(spec);
        Assert.NotEqual(0, result.Code);
        Assert.Contains("no user no-such-user-vhpc", result.Output, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_dir, "o.conf")));
    }

    private static string Inode(string path) => AnsibleTools.Run("stat", "/", null, "-c", "%i", path).Output.Trim();

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
