using SmartCity.IoT.Influx.Http;

namespace SmartCity.IoT.Influx.Tests;

public sealed class RejectionReportTests
{
    [Fact]
    public void Influx1_partial_write_names_each_unparsable_line_even_when_the_line_contains_the_separator()
    {
        // Exactly what InfluxDB 1.6.7 answered to this batch (checked on the real server).
        var lines = new[] { "m,t=a v=1 1", "bad line here", "m,t=a v=2 2", "m2 s=\"it's: 中文\",x= 6" };
        var body = "{\"error\":\"partial write: unable to parse 'bad line here': invalid field format\\nunable to parse 'm2 s=\\\"it's: 中文\\\",x= 6': missing field value dropped=0\"}";

        var report = RejectionReport.Parse(400, body, lines);

        Assert.True(report.Partial);
        Assert.Equal(0, report.Dropped);
        Assert.Equal(2, report.Rejected.Count);
        Assert.Equal("invalid field format", report.Rejected[1]);
        Assert.Equal("missing field value", report.Rejected[3]);
    }

    [Fact]
    public void Influx1_field_type_conflict_is_partial_with_a_dropped_count_and_no_line()
    {
        var body = "{\"error\":\"partial write: field type conflict: input field \\\"v\\\" on measurement \\\"m\\\" is type string, already exists as type float dropped=1\"}";

        var report = RejectionReport.Parse(400, body, ["m v=\"s\" 1", "m v=2 2"]);

        Assert.True(report.Partial);
        Assert.Equal(1, report.Dropped);
        Assert.Empty(report.Rejected);
        Assert.True(report.IsAboutLines);
    }

    [Fact]
    public void Influx2_422_partial_write_counts_dropped_points()
    {
        var body = "{\"code\":\"unprocessable entity\",\"message\":\"failure writing points to database: partial write: dropped 3 points outside retention policy\"}";

        var report = RejectionReport.Parse(422, body, ["a v=1 1", "a v=1 2", "a v=1 3", "a v=1 4"]);

        Assert.True(report.Partial);
        Assert.Equal(3, report.Dropped);
    }

    [Fact]
    public void Influx2_400_numbered_lines_are_picked_and_the_batch_is_not_partial()
    {
        var body = "{\"code\":\"invalid\",\"message\":\"failed to parse line protocol:\\nerrors encountered on line(s):\\nline 2: Unexpected end of line\"}";

        var report = RejectionReport.Parse(400, body, ["a v=1 1", "a v= 2", "a v=1 3"]);

        Assert.False(report.Partial);
        var (index, reason) = Assert.Single(report.Rejected);
        Assert.Equal(1, index);
        Assert.Equal("Unexpected end of line", reason);
    }

    [Fact]
    public void Influx3_data_array_names_original_lines()
    {
        var body = "{\"error\":\"partial write of line protocol occurred\",\"data\":[{\"original_line\":\"x y\",\"line_number\":3,\"error_message\":\"No fields were provided\"}]}";

        var report = RejectionReport.Parse(400, body, ["a v=1 1", "a v=2 2", "x y"]);

        Assert.True(report.Partial);
        Assert.Equal("No fields were provided", report.Rejected[2]);
    }

    [Fact]
    public void A_configuration_error_is_not_about_lines()
    {
        var report = RejectionReport.Parse(400, "{\"error\":\"database is required\"}", ["a v=1 1"]);

        Assert.False(report.IsAboutLines);
        Assert.Empty(report.Rejected);
    }
}
