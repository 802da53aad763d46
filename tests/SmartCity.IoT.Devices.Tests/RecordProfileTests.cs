namespace SmartCity.IoT.Devices.Tests;

/// <summary>Record-list and Cayenne LPP profiles: each mistake is named with its line; fixed layouts that assert nothing are warned about.</summary>
public sealed class RecordProfileTests
{
    private const string Records = """
        id: acme/tlv-1
        vendor: Acme
        model: TLV-1
        family: environment
        topics:
          - template: acme/tlv/{device}/up
        payload:
          format: records
          length_byte: false
          records:
            - { type: 0x01, length: 2, name: temperature }
            - { type: 0x02, length: 1, name: humidity }
        fields:
          - { name: temperature, record: 0x01, length: 2, signed: true, scale: 0.1 }
          - { name: humidity, record: 0x02 }
        samples:
          - name: both
            topic: acme/tlv/t-1/up
            payload_hex: "02 28 01 00 EA"
            expect: 'environment,device=t-1,model=acme/tlv-1 temperature=23.4,humidity=40 1763856000000000000'
          - name: one
            topic: acme/tlv/t-1/up
            payload_hex: "01 FF 9C"
            expect: 'environment,device=t-1,model=acme/tlv-1 temperature=-10 1763856000000000000'
          - name: unknown
            topic: acme/tlv/t-1/up
            payload_hex: "03 00"
            expect_error: "unknown record type 0x03 at byte 0 (known: 0x01 temperature, 0x02 humidity); frame (hex): 03 00"
        """;

    private const string Lpp = """
        id: acme/lpp-1
        vendor: Acme
        model: LPP-1
        family: environment
        topics:
          - template: acme/lpp/{device}/up
        payload:
          format: records
          layout: cayenne-lpp
        fields:
          - { name: temperature, channel: 1, record: temperature }
          - { name: humidity, channel: 2, record: humidity }
        samples:
          - name: both
            topic: acme/lpp/l-1/up
            payload_hex: "01 67 00 EA 02 68 50"
            expect: 'environment,device=l-1,model=acme/lpp-1 temperature=23.4,humidity=40 1763856000000000000'
          - name: one
            topic: acme/lpp/l-1/up
            payload_hex: "02 68 51"
            expect: 'environment,device=l-1,model=acme/lpp-1 humidity=40.5 1763856000000000000'
          - name: truncated
            topic: acme/lpp/l-1/up
            payload_hex: "01 67 00"
            expect_error: "truncated record channel 1 type 0x67 (temperature) at byte 0"
        """;

    [Fact]
    public void The_good_profiles_pass()
    {
        using var temp = new TempDevices();
        var a = temp.Write("devices/acme/tlv-1.yaml", Records);
        var b = temp.Write("devices/acme/lpp-1.yaml", Lpp);
        var (exit, output) = temp.Validate(a, b);
        Assert.True(exit == 0, output);
        Assert.Contains("OK: 2 file(s), 2 profile(s), 6 sample(s) decode as expected.", output, StringComparison.Ordinal);
        Assert.DoesNotContain("warning", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("record: 0x02 }", "record: 0x05 }", 15, 31, "field 'humidity': record 0x05 is not declared in 'payload.records' (declared: 0x01 temperature, 0x02 humidity)")]
    [InlineData("record: 0x02 }", "record: 0x02, offset: 1 }", 15, 5, "field 'humidity': byte 1 is beyond record 0x02, which has 1 data byte(s)")]
    [InlineData("{ type: 0x02, length: 1", "{ type: 0x01, length: 1", 12, 15, "record type 0x01 is declared twice")]
    [InlineData("length_byte: false", "marker: typ", 9, 11, "marker 'typ' must be type (one type byte per record) or channel_type")]
    [InlineData("length_byte: false", "unknown: ignore", 9, 12, "unknown: 'ignore' must be error")]
    [InlineData("record: 0x02 }", "record: 0x02, channel: 1 }", 15, 46, "'channel' needs 'marker: channel_type'")]
    [InlineData("{ name: humidity, record: 0x02 }", "{ name: temperature, record: 0x02 }", 15, 13, "field 'temperature' is mapped twice")]
    [InlineData("unknown record type 0x03 at byte 0", "unknown record type 0x04 at byte 0", 25, 5, "sample 'unknown' should fail with")]
    public void Record_list_mistakes_name_file_line_and_fix(string from, string to, int line, int column, string message) =>
        AssertMistake(Records, "acme/tlv-1.yaml", from, to, line, column, message);

    [Theory]
    [InlineData("record: humidity }", "record: humidty }", 12, 43, "field 'humidity': 'humidty' is not a type of cayenne-lpp (known: digital_input,")]
    [InlineData("record: humidity }", "record: energy }", 12, 43, "'energy' is an extended type: use 'layout: cayenne-lpp-extended'")]
    [InlineData("record: humidity }", "record: accelerometer }", 12, 5, "field 'humidity': LPP accelerometer has several values; say which with 'part: ' one of x, y, z")]
    [InlineData("record: humidity }", "record: humidity, scale: 2 }", 12, 53, "'scale' does not go with layout cayenne-lpp")]
    [InlineData("channel: 2, record: humidity", "record: humidity", 12, 5, "say which LPP channel carries it")]
    [InlineData("layout: cayenne-lpp", "layout: cayene-lpp", 9, 11, "layout 'cayene-lpp' is not a shipped record layout (known: cayenne-lpp, cayenne-lpp-extended); did you mean 'cayenne-lpp'?")]
    [InlineData("{ name: humidity, channel: 2, record: humidity }", "{ name: temperature, channel: 2, record: temperature, instance: { channel: 2 } }", 12, 13, "field 'temperature' is mapped twice; map each vocabulary field once, or give every mapping of it an instance")]
    [InlineData("{ name: humidity, channel: 2, record: humidity }", "{ name: humidity, channel: 2, record: temperature }", 12, 5, "unit 'degC' (the unit its payload format sends; set 'unit' if the device sends another) has no conversion to %RH")]
    public void Lpp_mistakes_name_file_line_and_fix(string from, string to, int line, int column, string message) =>
        AssertMistake(Lpp, "acme/lpp-1.yaml", from, to, line, column, message);

    [Fact]
    public void Two_instances_of_one_field_decode_to_two_tagged_readings()
    {
        const string profile = """
            id: acme/lpp-1
            vendor: Acme
            model: LPP-1
            family: environment
            topics:
              - template: acme/lpp/{device}/up
            payload:
              format: records
              layout: cayenne-lpp
            fields:
              - { name: temperature, channel: 1, record: temperature, instance: { probe: a } }
              - { name: temperature, channel: 2, record: temperature, instance: { probe: b } }
              - { name: humidity, channel: 3, record: humidity }
            samples:
              - name: both probes and the message's own field
                topic: acme/lpp/l-1/up
                payload_hex: "02 67 00 C8 03 68 50 01 67 00 EA"
                expect: |
                  environment,device=l-1,model=acme/lpp-1 humidity=40 1763856000000000000
                  environment,device=l-1,model=acme/lpp-1,probe=b temperature=20 1763856000000000000
                  environment,device=l-1,model=acme/lpp-1,probe=a temperature=23.4 1763856000000000000
              - name: one probe
                topic: acme/lpp/l-1/up
                payload_hex: "02 67 00 C9"
                expect: 'environment,device=l-1,model=acme/lpp-1,probe=b temperature=20.1 1763856000000000000'
              - name: a probe twice
                topic: acme/lpp/l-1/up
                payload_hex: "02 67 00 C9 02 67 00 C9"
                expect_error: "record channel 2 type 0x67 (temperature) at byte 4 sets temperature a second time in one frame"
            """;
        using var temp = new TempDevices();
        var (exit, output) = temp.Validate(temp.Write("devices/acme/lpp-1.yaml", profile));
        Assert.True(exit == 0, output);
    }

    [Fact]
    public void A_fixed_layout_without_frame_length_or_markers_is_warned_about_and_an_asserted_one_is_not()
    {
        const string Fixed = """
            id: acme/fix-1
            vendor: Acme
            model: FIX-1
            family: environment
            topics:
              - template: acme/fix/{device}/up
            payload:
              format: binary
            fields:
              - { name: temperature, offset: 1, length: 2, signed: true, scale: 0.1 }
            samples:
              - name: a
                topic: acme/fix/f-1/up
                payload_hex: "01 00 EA"
                expect: 'environment,device=f-1,model=acme/fix-1 temperature=23.4 1763856000000000000'
              - name: b
                topic: acme/fix/f-1/up
                payload_hex: "01 00 C8"
                expect: 'environment,device=f-1,model=acme/fix-1 temperature=20 1763856000000000000'
              - name: short
                topic: acme/fix/f-1/up
                payload_hex: "01"
                expect_error: malformed_payload
            """;
        using var temp = new TempDevices();
        var file = temp.Write("devices/acme/fix-1.yaml", Fixed);
        var (exit, output) = temp.Validate(file);
        Assert.True(exit == 0, output);
        Assert.Contains("acme/fix-1.yaml:8:3: warning: 'payload': the fixed binary layout asserts neither 'frame_length' nor 'markers'", output, StringComparison.Ordinal);
        Assert.Contains("add 'frame_length: 3'", output, StringComparison.Ordinal);

        var asserted = Fixed.Replace("  format: binary", "  format: binary\n  frame_length: 3\n  markers: [{ offset: 0, hex: \"01\" }]", StringComparison.Ordinal)
            + "\n  - name: another frame type\n    topic: acme/fix/f-1/up\n    payload_hex: \"02 00 EA\"\n    expect_error: \"marker at byte 0 is 02, the layout expects 01 (another frame type or firmware?); frame (hex): 02 00 ea\"\n"
            + "  - name: too long\n    topic: acme/fix/f-1/up\n    payload_hex: \"01 00 EA 00\"\n    expect_error: \"binary frame has 4 byte(s), the layout is exactly 3\"\n";
        (exit, output) = temp.Validate(temp.Write("devices/acme/fix-1.yaml", asserted));
        Assert.True(exit == 0, output);
        Assert.DoesNotContain("warning", output, StringComparison.Ordinal);
        Assert.Contains("5 sample(s) decode as expected", output, StringComparison.Ordinal);

        (exit, output) = temp.Validate(temp.Write("devices/acme/fix-1.yaml", asserted.Replace("frame_length: 3", "frame_length: 2", StringComparison.Ordinal)));
        Assert.Equal(1, exit);
        Assert.Contains("frame_length 2 is shorter than the layout, whose last field or marker ends at byte 2", output, StringComparison.Ordinal);
    }

    private static void AssertMistake(string good, string name, string from, string to, int line, int column, string message)
    {
        using var temp = new TempDevices();
        Assert.Contains(from, good, StringComparison.Ordinal);
        var file = temp.Write("devices/" + name, good.Replace(from, to, StringComparison.Ordinal));
        var (exit, output) = temp.Validate(file);
        Assert.Equal(1, exit);
        var errorLine = output.Split('\n').FirstOrDefault(l => l.Contains($"{name}:{line}:{column}: error: ", StringComparison.Ordinal));
        Assert.True(errorLine is not null, output);
        Assert.Contains(message, errorLine, StringComparison.Ordinal);
    }
}
