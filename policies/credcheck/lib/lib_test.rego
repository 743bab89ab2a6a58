package credcheck.lib_test

import data.credcheck.lib

# number_text must print what sprintf's %v prints, on both sides of its int32 fast path (format_int) and for
# numbers it leaves to sprintf. Compared with sprintf itself: native opa and opa-wasm's JavaScript sprintf
# differ on large and tiny floats (1e+15 vs 1000000000000000), and number_text follows whichever runs.
test_number_text_matches_sprintf_v if {
	values := [
		0, 1, 2, 9, 10, 45, 90, 1439, -1, -90, 86400000,
		2147483646, 2147483647, 2147483648, -2147483647, -2147483648, -2147483649,
		1e10, 1e15, 1e21, -1e21, 1e300,
		0.5, -0.5, 2.5, 7.9, -7.9, 123456.789, 0.001,
	]
	mismatches := [[v, lib.number_text(v), sprintf("%v", [v])] | some v in values; lib.number_text(v) != sprintf("%v", [v])]
	mismatches == []
}

test_number_text_integers if {
	lib.number_text(0) == "0"
	lib.number_text(92) == "92"
	lib.number_text(-3) == "-3"
	lib.number_text(2147483647) == "2147483647"
	lib.number_text(-2147483647) == "-2147483647"
}

# An integer written as a float is still an integer for %v.
test_number_text_integral_float if lib.number_text(45.0) == "45"

test_number_text_fraction_is_not_truncated if {
	lib.number_text(2.5) == "2.5"
	lib.number_text(-0.25) == "-0.25"
}

test_join if {
	lib.join([]) == ""
	lib.join(["user ", "alice", " has ", "no MFA"]) == "user alice has no MFA"
}

test_day_count if {
	lib.day_count(1) == "1 day"
	lib.day_count(0) == "0 days"
	lib.day_count(90) == "90 days"
	lib.day_count(90.5) == "90.5 days"
}

test_minute_count if {
	lib.minute_count(1) == "1 min"
	lib.minute_count(59) == "59 min"
	lib.minute_count(60) == "1 h 0 min"
	lib.minute_count(1439) == "23 h 59 min"
}

test_relative_text if {
	lib.relative_text(92.4, 90) == "92 days before the evaluation time"
	lib.relative_text(90 + (61 / 1440), 90) == "90 days 1 h 1 min before the evaluation time"
	lib.relative_text(-3.2, -1) == "3 days after the evaluation time"
	lib.relative_text(1, -1) == "1 day before the evaluation time"
}

test_duration_text if {
	lib.duration_text(425 * 86400000) == "425 days"
	lib.duration_text((12 * 60000) + 5000) == "12 min"
	lib.duration_text(11000) == "11 s"
	lib.duration_text(1500) == "1.5 s"
}

test_active_keys_text if {
	lib.active_keys_text({"access_key_1_active": false, "access_key_2_active": true}) == "active access key 2"
	lib.active_keys_text({"access_key_1_active": true, "access_key_2_active": true}) == "active access keys 1 and 2"
	lib.active_keys_text({}) == "no active access key"
}

test_usage_place if {
	row := {"access_key_1_last_used_region": "us-east-1", "access_key_1_last_used_service": "s3"}
	lib.usage_place(row, 1) == " in us-east-1 (s3)"
	lib.usage_place({"access_key_2_last_used_region": "eu-west-1"}, 2) == " in eu-west-1"
	lib.usage_place({}, 1) == ""
}
