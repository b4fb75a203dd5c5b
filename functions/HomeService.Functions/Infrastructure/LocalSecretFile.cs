namespace HomeService.Functions.Infrastructure;

/// <summary>
/// A Development secret kept in a local file (git-ignored <c>.local/</c> under run.sh): read when present, otherwise
/// made once, written owner-only and renamed into place, so two hosts starting at once end up with the same content.
/// </summary>
internal static class LocalSecretFile
{
    /// <summary>The file's text; when there is no file, <paramref name="create"/>'s text, written to it first.</summary>
    public static string LoadOrCreate(string path, Func<string> create)
    {
        if (File.Exists(path))
        {
            return File.ReadAllText(path);
        }

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var content = create();
        var temp = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(temp, options))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(content);
        }

        try
        {
            // Two hosts starting at once: the first rename wins and both use what it wrote.
            File.Move(temp, path, overwrite: false);
        }
        catch (IOException) when (File.Exists(path))
        {
            File.Delete(temp);
            return File.ReadAllText(path);
        }

        return content;
    }
}
