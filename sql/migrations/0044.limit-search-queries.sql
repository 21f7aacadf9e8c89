-- A search query is refused when it is over 1000 characters or 64 words (ingot.search.MAX_QUERY_CHARS and
-- MAX_QUERY_WORDS, which must agree): a query's cost grows with its length, and search_articles, which the
-- analysts' role may call, builds its query here. The rest of the function is 0021's.
CREATE OR REPLACE FUNCTION search_tsquery(query text) RETURNS tsquery
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, public AS $fn$
DECLARE
    result tsquery;
    part tsquery;
    segment text;
BEGIN
    -- bounded work whatever is typed: every word becomes up to three stemmed tsqueries, every Han character a
    -- bigram, all of them ANDed into one tree
    IF char_length(query) > 1000 THEN
        RAISE EXCEPTION 'search query too long: % characters (at most 1000)', char_length(query)
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Search for fewer, more specific words.';
    END IF;
    IF (SELECT count(*) FROM regexp_split_to_table(fold_chinese(query), '\s+') AS word WHERE word <> '') > 64 THEN
        RAISE EXCEPTION 'search query too long: more than 64 words'
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Search for fewer, more specific words.';
    END IF;
    FOR segment IN
        SELECT m[1]
        FROM regexp_split_to_table(fold_chinese(coalesce(query, '')), '\s+') AS word,
             regexp_matches(word, '([㐀-䶿一-鿿豈-﫿𠀀-𱍏]+|[฀-๿]+|[^㐀-䶿一-鿿豈-﫿𠀀-𱍏฀-๿]+)', 'g') AS m
        WHERE word <> ''
    LOOP
        IF segment ~ '^[㐀-䶿一-鿿豈-﫿𠀀-𱍏฀-๿]' THEN
            IF char_length(segment) = 1 THEN
                part := (quote_literal(segment) || ':*')::tsquery;
            ELSE
                SELECT string_agg(quote_literal(substr(segment, i, 2)), ' <-> ' ORDER BY i)::tsquery
                INTO part
                FROM generate_series(1, char_length(segment) - 1) AS i;
            END IF;
        ELSE
            part := latin_tsquery(segment);
        END IF;
        IF part IS NOT NULL AND numnode(part) > 0 THEN
            result := CASE WHEN result IS NULL THEN part ELSE result && part END;
        END IF;
    END LOOP;
    RETURN coalesce(result, ''::tsquery);
END
$fn$;
