/*
 * parser.y - the grammar of eligo policy, model and test files.
 *
 * docs/language.md describes the language; src/lang/ast.h says what every
 * node holds.  Each action makes one node (ast_new/ast_text) and fills
 * the fields ast.h names, or adds to a list (parse_list_add); nothing
 * here folds, checks or looks anything up: check.c, tables.c
 * and lower.c do that.  Two pieces of construction live in parse.c
 * because they need the parse context: parse_list_add (O(1) appends, so
 * a 4 MiB file of list items stays linear) and parse_row (a table row's
 * `|` items split into cells, output and label by the table's parameter
 * count, which the grammar alone cannot know).
 *
 * Syntax errors go through yyreport_syntax_error as "unexpected X,
 * expected Y or Z" plus a hint for the usual slips.  Recovery is by
 * error rules at the declaration level and at the start of table rows,
 * test items, parameter values and `unless` clauses.  Each error rule
 * calls yyerrok (report the very next error too) and yyclearin, and
 * asks the scanner to skip to the next token that can start the same
 * kind of thing (ctx->resync; see yylex in lexer.l).  So every syntax
 * error of a file is reported, at most one per declaration or item.
 *
 * No %destructor: every node and string lives in the policy arena and
 * is freed with it, so the symbols bison discards during recovery need
 * no cleanup.
 *
 * Limits: the scanner counts open brackets against PARSE_MAX_NESTING and
 * turns the first one too many into a NESTING token no rule accepts;
 * parse.c checks the depth of the finished tree; bison's own stack
 * overflowing ("memory exhausted") is reported by yyerror as a
 * diagnostic, never a crash.
 *
 * SPDX-License-Identifier: Apache-2.0
 */

%require "3.8"
%define api.pure full
%define api.prefix {lang}
%locations
%define api.location.type {src_loc}
%define parse.error custom
%define parse.lac full
%expect 0
%parse-param {yyscan_t scanner} {parse_ctx *ctx}
%lex-param {yyscan_t scanner}

%code requires {
#include <stddef.h>
#include <stdint.h>
#include "lang/ast.h"
#include "lang/diag.h"
#include "lang/parse.h"

#ifndef YY_TYPEDEF_YY_SCANNER_T
#define YY_TYPEDEF_YY_SCANNER_T
typedef void *yyscan_t;
#endif

/* A token's text: into the source for names and numbers, into the
 * arena for unescaped string literals and for numbers written with `%`
 * or `万` (the number meant; suffix says which, ast.h's lit_suffix).
 * Not NUL-terminated. */
typedef struct parse_str { const char *s; size_t n; int suffix; } parse_str;

/* A list under construction; nodes are linked through `next`. */
typedef struct parse_list { ast_node *head, *tail; } parse_list;

/* The items of a test block, kept apart by kind. */
typedef struct parse_tests { parse_list given, expect; } parse_tests;

typedef struct parse_hit { int hit, collect; } parse_hit;

/* After an error rule, the scanner skips to the next token of this set. */
enum parse_resync {
    RESYNC_NONE,
    RESYNC_DECL,    /* a declaration keyword */
    RESYNC_ROW,     /* a row `|`, or a declaration keyword */
    RESYNC_TEST,    /* `given`, `expect`, or a declaration keyword */
    RESYNC_PARAM,   /* `from`, or a declaration keyword */
    RESYNC_UNLESS   /* `unless`, or a declaration keyword */
};

/* Everything the parser and the scanner share for one parse_source. */
typedef struct parse_ctx {
    const source *src;
    arena *pool;
    diag_list *dl;
    ast_node *root;         /* the FILE node, once parsed */
    ast_node *table;        /* the table whose rows are being read */
    int resync;             /* enum parse_resync, set by error rules */
    int max_nesting;        /* PARSE_MAX_NESTING */
    void *fatal;            /* jmp_buf left through when flex runs out of memory */
    void *scan_state;       /* flex's buffer state, as allocated (parse.c frees it when
                               flex fails before the state is on its stack) */

    /* Scanner state (lexer.l). */
    size_t off;             /* byte offset of the next token */
    int depth;              /* brackets open in this declaration */
    src_loc open_at[PARSE_MAX_NESTING];  /* where each of them is, outermost first */
    int last_tok;           /* the token last handed to the parser */
    src_loc last_loc;
    parse_str last_str;
    uint32_t prev_end;      /* end of the token before it */
    int prev_tok[2];        /* the two tokens before it, nearest first */
    uint32_t lexed_end;     /* end of the last token scanned */
    int lex_error;          /* a lexical error since the last token (2: and
                             * keep quiet one token longer) */
    int after_lex_error;    /* ... before the token last handed over */
    uint32_t bad_end;       /* end of the last run of bad characters */
    size_t bad_diag;        /* its diagnostic, to widen (or SIZE_MAX) */
} parse_ctx;

/* A nonterminal spans its first to its last symbol; an empty one sits
 * at the end of what precedes it. */
#define YYLLOC_DEFAULT(Cur, Rhs, N)                                     \
    do {                                                                \
        if (N) {                                                        \
            (Cur).start = YYRHSLOC(Rhs, 1).start;                       \
            (Cur).end = YYRHSLOC(Rhs, N).end;                           \
        } else {                                                        \
            (Cur).start = (Cur).end = YYRHSLOC(Rhs, 0).end;             \
        }                                                               \
    } while (0)
#define YYLOCATION_PRINT(File, Loc) \
    fprintf(File, "%u-%u", (unsigned)(Loc)->start, (unsigned)(Loc)->end)
}

%code provides {
/* The scanner, with error resynchronisation (lexer.l).  Parser and
 * scanner name everything lang (api.prefix, flex's prefix option), so
 * libeligo.a exports no yy* symbol to clash with a host's parser. */
int langlex(LANGSTYPE *lval, LANGLTYPE *lloc, yyscan_t scanner);
/* Constructors that need the context (parse.c). */
parse_list parse_list_add(parse_list l, ast_node *n);
ast_node *parse_row(parse_ctx *ctx, src_loc loc, ast_node *items, int is_else);
void parse_table_head(parse_ctx *ctx, ast_node *table, src_loc result_loc, ast_node *order);
ast_node *parse_expect_text(parse_ctx *ctx, src_loc loc, parse_str what, src_loc what_loc, parse_str out,
                            parse_str rel, src_loc rel_loc, ast_node *text);
ast_node *parse_refuse(parse_ctx *ctx, src_loc loc, parse_str when, src_loc when_loc, ast_node *cond,
                       ast_node *reason);
ast_node *parse_warn(parse_ctx *ctx, src_loc loc, parse_str when, src_loc when_loc, ast_node *cond,
                     ast_node *text, ast_node *cite);
ast_node *parse_expect_refused(parse_ctx *ctx, src_loc loc, parse_str what, src_loc what_loc,
                               ast_node *reason);
parse_list parse_list_add_chain(parse_list l, ast_node *n);
ast_node *parse_range_output(parse_ctx *ctx, src_loc loc, parse_str name, ast_node *type, parse_str word,
                             src_loc word_loc, ast_node *label, ast_node *lo, ast_node *hi);
ast_node *parse_expect_range(parse_ctx *ctx, src_loc loc, parse_str name, ast_node *lo, ast_node *hi);
}

%code {
#include <stdio.h>
#include <string.h>
#include "base/suggest.h"

static void yyerror(YYLTYPE *loc, yyscan_t scanner, parse_ctx *ctx, const char *msg);
static void chained_comparison(parse_ctx *ctx, src_loc all, src_loc a, src_loc op1, src_loc x, src_loc op2,
                               src_loc b);
static void bad_duration(parse_ctx *ctx, src_loc loc, int decimal);
#define P (ctx->pool)
}

%union {
    parse_str str;
    ast_node *node;
    parse_list list;
    parse_tests tests;
    parse_hit hit;
    int num;
}

%token <str> IDENT "name" INTLIT "number" DECLIT "decimal number"
%token <str> DATELIT "date" STRING "string" UNIT "`unit NAME`"
%token POLICY "`policy`" MODEL "`model`" TESTS "`tests`"
%token JURISDICTION "`jurisdiction`" SOURCE "`source`" ASSUMPTION "`assumption`"
%token COVERS "`covers`"
%token TO "`to`" USE "`use`" ENUM "`enum`" ENTITY "`entity`" EXTEND "`extend`"
%token PARAMETER "`parameter`" FROM "`from`" UNTIL "`until`" LET "`let`"
%token OUTPUT "`output`" UNLESS "`unless`" THEN "`then`" TABLE "`table`"
%token HIT "`hit`" UNIQUE "`unique`" PRIORITY "`priority`" FIRST "`first`"
%token RULE_ORDER "`rule_order`" OUTPUT_ORDER "`output_order`"
%token COLLECT "`collect`" ELSE "`else`" ASSERT "`assert`" TEST "`test`"
%token REFUSE "`refuse`" WARN "`warn`"
%token AS "`as`" OF "`of`" GIVEN "`given`" EXPECT "`expect`"
%token KW_ERROR "`error`" IF "`if`" AND "`and`" OR "`or`" NOT "`not`"
%token TRUE "`true`" FALSE "`false`" LIST "`list`" MAP "`map`" PER "`per`"
%token MONTH "`month`" YEAR "`year`" ONCE "`once`" FOR "`for`" IN "`in`"
%token WHERE "`where`" AT "`at`" AS_OF "`as_of`" DAYS "`days`" DAY "`day`"
%token MONTHS "`months`" YEARS "`years`"
%token KW_BOOL "`bool`" KW_INT "`int`" KW_DECIMAL "`decimal`"
%token KW_MONEY "`money`" KW_DATE "`date`" KW_TEXT "`text`"
/* Keywords only where an aggregation or hit policy needs them; they are
 * names everywhere else (see `name`). */
%token <str> SUM "`sum`" MIN "`min`" MAX "`max`" COUNT "`count`"
%token <str> ANY "`any`" ALL "`all`"
%token EQ "`==`" NE "`!=`" LE "`<=`" GE "`>=`" DOTDOT "`..`" ARROW "`->`"
%token FATARROW "`=>`" ROWBAR "`|` at the start of a row" BAR "`|`"
%token COLON "`:`" ASSIGN "`=`" LT "`<`" GT "`>`" PLUS "`+`" MINUS "`-`"
%token STAR "`*`" SLASH "`/`" LPAREN "`(`" RPAREN "`)`" LBRACK "`[`"
%token RBRACK "`]`" LBRACE "`{`" RBRACE "`}`" COMMA "`,`" DOT "`.`"
/* Never accepted: the scanner's answer to brackets nested too deeply. */
%token NESTING "too deep nesting"

%type <str> name dotted
%type <node> decl type range bound number string label_opt def_label type_opt
%type <node> enum_value field range_opt default_opt param_value until_opt
%type <node> source_opt cite unless table_head tparam row cell test_head given expect
%type <node> expr or_expr and_expr not_expr cmp_expr add_expr mul_expr unary
%type <node> postfix primary name_ref int_lit date agg call where_opt
%type <node> object pair partial_opt result rescol
%type <list> decls enum_values enum_list fields param_values unlesses tparams rescols
%type <list> rows cells set items args pairs
%type <tests> test_items
%type <hit> hit
%type <num> period unit cmp_op

/* Two choices the grammar makes on purpose (both are shifts):
 * - `source "..." "..."` or `assumption "..."` right after a parameter
 *   value or a table row is that value's citation, not a new declaration;
 * - in a table cell, `[a, b]` is a closed range, not a list literal. */
%precedence NO_SOURCE
%precedence SOURCE ASSUMPTION
%precedence LIST_ITEM
%precedence COMMA

%%

file:
    decls   { ctx->root = ast_new(P, AST_FILE, (src_loc){0, (uint32_t)ctx->src->len});
              ctx->root->a = $1.head; }
    ;

decls:
    %empty          { $$ = (parse_list){NULL, NULL}; }
  | decls decl      { $$ = parse_list_add_chain($1, $2); }
  | decls error     { $$ = $1; ctx->resync = RESYNC_DECL; yyerrok; yyclearin; }
    ;

decl:
    POLICY dotted label_opt     { $$ = ast_text(P, AST_POLICY, @$, $2.s, $2.n); $$->label = $3; }
  | MODEL dotted label_opt      { $$ = ast_text(P, AST_MODEL, @$, $2.s, $2.n); $$->label = $3; }
  | TESTS dotted                { $$ = ast_text(P, AST_TESTS_FOR, @$, $2.s, $2.n); }
  | JURISDICTION string         { $$ = ast_new(P, AST_JURISDICTION, @$); $$->label = $2; }
  | SOURCE string string        { $$ = ast_new(P, AST_SOURCE, @$); $$->a = $2; $$->b = $3; }
  | ASSUMPTION string           { $$ = ast_new(P, AST_SOURCE, @$); $$->op = 1; $$->label = $2; }
  | COVERS date TO date         { $$ = ast_new(P, AST_COVERS, @$); $$->a = $2; $$->b = $4; }
  | USE dotted                  { $$ = ast_text(P, AST_USE, @$, $2.s, $2.n); }
  | ENUM name label_opt LBRACE enum_values RBRACE
                                { $$ = ast_text(P, AST_ENUM, @$, $2.s, $2.n);
                                  $$->a = $5.head; $$->label = $3; }
  | ENTITY name label_opt LBRACE fields RBRACE
                                { $$ = ast_text(P, AST_ENTITY, @$, $2.s, $2.n);
                                  $$->a = $5.head; $$->label = $3; }
  | EXTEND dotted label_opt LBRACE fields RBRACE
                                { $$ = ast_text(P, AST_ENTITY, @$, $2.s, $2.n);
                                  $$->a = $5.head; $$->label = $3; $$->op = ENTITY_EXTENDS; }
  | PARAMETER name COLON type label_opt param_values
                                { $$ = ast_text(P, AST_PARAM, @$, $2.s, $2.n);
                                  $$->a = $4; $$->b = $6.head; $$->label = $5; }
  | LET name type_opt def_label ASSIGN expr unlesses
                                { $$ = ast_text(P, AST_LET, @$, $2.s, $2.n);
                                  $$->a = $3; $$->b = $6; $$->c = $7.head; $$->label = $4; }
  | OUTPUT name type_opt def_label ASSIGN expr unlesses
                                { $$ = ast_text(P, AST_OUTPUT, @$, $2.s, $2.n);
                                  $$->a = $3; $$->b = $6; $$->c = $7.head; $$->label = $4; }
  | OUTPUT name COLON type name def_label ASSIGN expr TO expr
                                { $$ = parse_range_output(ctx, @$, $2, $4, $5, @5, $6, $8, $10); }
  | table_head rows             { $$ = $1; $$->loc = @$; $$->c = $2.head; }
  | ASSERT expr label_opt       { $$ = ast_new(P, AST_ASSERT, @$); $$->a = $2; $$->label = $3; }
  | WARN name expr COLON string source_opt
                                { $$ = parse_warn(ctx, @$, $2, @2, $3, $5, $6); }
  | REFUSE name expr COLON string
                                { $$ = parse_refuse(ctx, @$, $2, @2, $3, $5); }
  | test_head test_items        { $$ = $1; $$->loc = @$;
                                  $$->b = $2.given.head; $$->c = $2.expect.head; }
    ;

/* `a.b.c` after policy/model/tests/use: the text as written. */
dotted:
    name                        { $$ = $1; }
  | dotted DOT name             { $$ = $1; $$.n = (size_t)(@3.end - @1.start); }
    ;

name:
    IDENT | SUM | MIN | MAX | COUNT | ANY | ALL
    ;

label_opt:
    %empty                      { $$ = NULL; }
  | string
    ;

/* A bool definition may say what true and what false mean:
 * "低于低保标准" else "不低于低保标准"; the second label hangs off the
 * first one's `a`. */
def_label:
    label_opt
  | string ELSE string          { $$ = $1; $$->a = $3; }
    ;

string:
    STRING                      { $$ = ast_text(P, AST_STRING, @$, $1.s, $1.n); }
    ;

date:
    DATELIT                     { $$ = ast_text(P, AST_DATE, @$, $1.s, $1.n); }
    ;

/* ---- enums and entities ------------------------------------------- */

enum_values:
    %empty                      { $$ = (parse_list){NULL, NULL}; }
  | enum_list
  | enum_list COMMA
    ;

enum_list:
    enum_value                  { $$ = parse_list_add((parse_list){NULL, NULL}, $1); }
  | enum_list COMMA enum_value    { $$ = parse_list_add($1, $3); }
    ;

enum_value:
    name label_opt              { $$ = ast_text(P, AST_ENUM_VALUE, @$, $1.s, $1.n); $$->label = $2; }
    ;

fields:
    %empty                      { $$ = (parse_list){NULL, NULL}; }
  | fields field                { $$ = parse_list_add($1, $2); }
    ;

field:
    name COLON type range_opt default_opt label_opt
                                { $$ = ast_text(P, AST_FIELD, @$, $1.s, $1.n);
                                  $$->a = $3; $$->b = $4; $$->c = $5; $$->label = $6; }
    ;

range_opt:
    %empty                      { $$ = NULL; }
  | range
    ;

/* Bounds are literals: a name right after a type starts the next field. */
range:
    bound DOTDOT bound          { $$ = ast_new(P, AST_RANGE, @$); $$->a = $1; $$->b = $3; }
  | GE bound                    { $$ = ast_new(P, AST_RANGE, @$); $$->a = $2; }
  | GT bound                   { $$ = ast_new(P, AST_RANGE, @$); $$->a = $2; $$->op = RANGE_LOW_OPEN; }
  | LE bound                    { $$ = ast_new(P, AST_RANGE, @$); $$->b = $2; }
  | LT bound                   { $$ = ast_new(P, AST_RANGE, @$); $$->b = $2; $$->op = RANGE_HIGH_OPEN; }
    ;

bound:
    number
  | MINUS number                  { $$ = ast_new(P, AST_UNARY, @$); $$->op = OP_NEG; $$->a = $2; }
  | date
    ;

number:
    int_lit
  | DECLIT                      { $$ = ast_text(P, AST_DEC, @$, $1.s, $1.n); $$->op = $1.suffix; }
    ;

default_opt:
    %empty                      { $$ = NULL; }
  | ASSIGN expr                    { $$ = $2; }
    ;

/* ---- types -------------------------------------------------------- */

type_opt:
    %empty                      { $$ = NULL; }
  | COLON type                    { $$ = $2; }
    ;

type:
    KW_BOOL period              { $$ = ast_new(P, AST_TYPE, @$); $$->op = BASE_BOOL; $$->op2 = $2; }
  | KW_INT period               { $$ = ast_new(P, AST_TYPE, @$); $$->op = BASE_INT; $$->op2 = $2; }
  | KW_DECIMAL period           { $$ = ast_new(P, AST_TYPE, @$); $$->op = BASE_DECIMAL; $$->op2 = $2; }
  | KW_INT UNIT                 { $$ = ast_text(P, AST_TYPE, @$, $2.s, $2.n); $$->op = BASE_INT; }
  | KW_DECIMAL UNIT             { $$ = ast_text(P, AST_TYPE, @$, $2.s, $2.n); $$->op = BASE_DECIMAL; }
  | KW_MONEY period             { $$ = ast_new(P, AST_TYPE, @$); $$->op = BASE_MONEY; $$->op2 = $2; }
  | KW_DATE period              { $$ = ast_new(P, AST_TYPE, @$); $$->op = BASE_DATE; $$->op2 = $2; }
  | KW_TEXT period              { $$ = ast_new(P, AST_TYPE, @$); $$->op = BASE_TEXT; $$->op2 = $2; }
  | name period                 { $$ = ast_text(P, AST_TYPE, @$, $1.s, $1.n);
                                  $$->op = BASE_NAMED; $$->op2 = $2; }
  | LIST OF type                { $$ = ast_new(P, AST_TYPE, @$); $$->op = BASE_LIST; $$->a = $3; }
  | MAP OF type                 { $$ = ast_new(P, AST_TYPE, @$); $$->op = BASE_MAP; $$->a = $3; }
    ;

period:
    %empty                      { $$ = PERIOD_NONE; }
  | PER MONTH                   { $$ = PERIOD_MONTH; }
  | PER YEAR                    { $$ = PERIOD_YEAR; }
  | ONCE                        { $$ = PERIOD_ONCE; }
    ;

/* ---- parameters, lets, outputs, assertions ------------------------ */

param_values:
    %empty                      { $$ = (parse_list){NULL, NULL}; }
  | param_values param_value    { $$ = parse_list_add($1, $2); }
    ;

param_value:
    FROM date until_opt COLON expr source_opt
                                { $$ = ast_new(P, AST_PARAM_VALUE, @$);
                                  $$->a = $2; $$->b = $3; $$->c = $5; $$->d = $6; }
  | FROM error                  { $$ = NULL; ctx->resync = RESYNC_PARAM; yyerrok; yyclearin; }
    ;

until_opt:
    %empty                      { $$ = NULL; }
  | UNTIL date                  { $$ = $2; }
    ;

/* A value's or a row's citation: AST_SOURCE, op 1 for an assumption.
 * The one-string form is the old `source "FILE: quote"`, kept only so
 * that cite.c can say how to write it now. */
source_opt:
    %empty %prec NO_SOURCE      { $$ = NULL; }
  | cite                        { $$ = $1; }
    ;

cite:
    SOURCE string               { $$ = ast_new(P, AST_SOURCE, @$); $$->a = $2; }
  | SOURCE string string        { $$ = ast_new(P, AST_SOURCE, @$); $$->a = $2; $$->b = $3; }
  | ASSUMPTION string           { $$ = ast_new(P, AST_SOURCE, @$); $$->op = 1; $$->label = $2; }
    ;

unlesses:
    %empty                      { $$ = (parse_list){NULL, NULL}; }
  | unlesses unless             { $$ = parse_list_add($1, $2); }
    ;

unless:
    UNLESS expr THEN expr label_opt
                                { $$ = ast_new(P, AST_UNLESS, @$);
                                  $$->a = $2; $$->b = $4; $$->label = $5; }
  | UNLESS error                { $$ = NULL; ctx->resync = RESYNC_UNLESS; yyerrok; yyclearin; }
    ;

/* ---- decision tables ---------------------------------------------- */

table_head:
    TABLE name LPAREN tparams RPAREN ARROW result HIT hit partial_opt label_opt
                                { $$ = ast_text(P, AST_TABLE, @$, $2.s, $2.n);
                                  $$->op = $9.hit; $$->op2 = $9.collect;
                                  $$->a = $4.head; $$->b = $7; $$->label = $11; $$->d = $10;
                                  parse_table_head(ctx, $$, @7, NULL); }
  | TABLE name LPAREN tparams RPAREN ARROW result HIT hit IDENT LPAREN items RPAREN partial_opt label_opt
                                { $$ = ast_text(P, AST_TABLE, @$, $2.s, $2.n);
                                  $$->op = $9.hit; $$->op2 = $9.collect;
                                  $$->a = $4.head; $$->b = $7; $$->label = $15; $$->d = $14;
                                  ast_node *ord = ast_text(P, AST_LIST, @10, $10.s, $10.n);
                                  ord->a = $12.head;
                                  parse_table_head(ctx, $$, @7, ord); }
    ;

/* `partial` after the hit policy: a plain word, so that `partial` stays
 * usable as a name (an enum value of self_care). */
partial_opt:
    %empty                      { $$ = NULL; }
  | IDENT                       { $$ = ast_text(P, AST_NAME, @$, $1.s, $1.n);
                                  if (strcmp($$->text, "partial") != 0)
                                      diag_add(ctx->dl, DIAG_ERROR, ctx->src, @$,
                                               "write the table's label as a string, or `partial` for a table that may have no value",
                                               "unexpected name `%s` after the hit policy", $$->text); }
    ;

tparams:
    tparam                      { $$ = parse_list_add((parse_list){NULL, NULL}, $1); }
  | tparams COMMA tparam          { $$ = parse_list_add($1, $3); }
    ;

tparam:
    name COLON type range_opt     { $$ = ast_text(P, AST_TPARAM, @$, $1.s, $1.n); $$->a = $3; $$->b = $4; }
    ;

/* A table's result: one type, or several named result columns
 * `(min: int "最少", max: int "最多")`, each a TPARAM read as `t(...).min`. */
result:
    type                        { $$ = $1; }
  | LPAREN rescols RPAREN       { $$ = $2.head; }
    ;

rescols:
    rescol                      { $$ = parse_list_add((parse_list){NULL, NULL}, $1); }
  | rescols COMMA rescol        { $$ = parse_list_add($1, $3); }
    ;

rescol:
    name COLON type label_opt   { $$ = ast_text(P, AST_TPARAM, @$, $1.s, $1.n); $$->a = $3; $$->label = $4; }
    ;

hit:
    UNIQUE                      { $$ = (parse_hit){HIT_UNIQUE, COLLECT_LIST}; }
  | ANY                         { $$ = (parse_hit){HIT_ANY, COLLECT_LIST}; }
  | PRIORITY                    { $$ = (parse_hit){HIT_PRIORITY, COLLECT_LIST}; }
  | FIRST                       { $$ = (parse_hit){HIT_FIRST, COLLECT_LIST}; }
  | RULE_ORDER                  { $$ = (parse_hit){HIT_RULE_ORDER, COLLECT_LIST}; }
  | OUTPUT_ORDER                { $$ = (parse_hit){HIT_OUTPUT_ORDER, COLLECT_LIST}; }
  | COLLECT                     { $$ = (parse_hit){HIT_COLLECT, COLLECT_LIST}; }
  | COLLECT SUM                 { $$ = (parse_hit){HIT_COLLECT, COLLECT_SUM}; }
  | COLLECT MIN                 { $$ = (parse_hit){HIT_COLLECT, COLLECT_MIN}; }
  | COLLECT MAX                 { $$ = (parse_hit){HIT_COLLECT, COLLECT_MAX}; }
  | COLLECT COUNT               { $$ = (parse_hit){HIT_COLLECT, COLLECT_COUNT}; }
    ;

rows:
    %empty                      { $$ = (parse_list){NULL, NULL}; }
  | rows row                    { $$ = parse_list_add($1, $2); }
    ;

/* A row is one line starting with `|` (the scanner tells ROWBAR from
 * BAR); which items are cells, output and label is decided by the
 * table's parameter count in parse_row. */
row:
    ROWBAR cells bar_opt source_opt
                                { $$ = parse_row(ctx, @$, $2.head, 0);
                                  if ($$) $$->c = $4; }
  | ROWBAR ELSE BAR cells bar_opt source_opt
                                { $$ = parse_row(ctx, @$, $4.head, 1);
                                  if ($$) $$->c = $6; }
  | ROWBAR error                { $$ = NULL; ctx->resync = RESYNC_ROW; yyerrok; yyclearin; }
    ;

bar_opt:
    %empty
  | BAR
    ;

cells:
    cell                        { $$ = parse_list_add((parse_list){NULL, NULL}, $1); }
  | cells BAR cell              { $$ = parse_list_add($1, $3); }
    ;

cell:
    MINUS                         { $$ = ast_new(P, AST_CELL_ANY, @$); }
  | expr                        { $$ = ast_new(P, AST_CELL_CMP, @$); $$->op = OP_EQ; $$->a = $1; }
  | set                         { $$ = ast_new(P, AST_CELL_SET, @$); $$->a = $1.head; }
  | LT add_expr                { $$ = ast_new(P, AST_CELL_CMP, @$); $$->op = OP_LT; $$->a = $2; }
  | LE add_expr                 { $$ = ast_new(P, AST_CELL_CMP, @$); $$->op = OP_LE; $$->a = $2; }
  | GT add_expr                { $$ = ast_new(P, AST_CELL_CMP, @$); $$->op = OP_GT; $$->a = $2; }
  | GE add_expr                 { $$ = ast_new(P, AST_CELL_CMP, @$); $$->op = OP_GE; $$->a = $2; }
  | NE add_expr                 { $$ = ast_new(P, AST_CELL_CMP, @$); $$->op = OP_NE; $$->a = $2; }
  | add_expr DOTDOT add_expr    { $$ = ast_new(P, AST_CELL_RANGE, @$); $$->a = $1; $$->b = $3; }
  | LBRACK expr COMMA expr RBRACK       { $$ = ast_new(P, AST_CELL_RANGE, @$); $$->a = $2; $$->b = $4; }
  | LBRACK expr COMMA expr RPAREN       { $$ = ast_new(P, AST_CELL_RANGE, @$); $$->a = $2; $$->b = $4;
                                  $$->op = RANGE_HIGH_OPEN; }
  | LPAREN expr COMMA expr RBRACK       { $$ = ast_new(P, AST_CELL_RANGE, @$); $$->a = $2; $$->b = $4;
                                  $$->op = RANGE_LOW_OPEN; }
  | LPAREN expr COMMA expr RPAREN       { $$ = ast_new(P, AST_CELL_RANGE, @$); $$->a = $2; $$->b = $4;
                                  $$->op = RANGE_LOW_OPEN | RANGE_HIGH_OPEN; }
    ;

set:
    expr COMMA expr               { $$ = parse_list_add(parse_list_add((parse_list){NULL, NULL}, $1), $3); }
  | set COMMA expr                { $$ = parse_list_add($1, $3); }
    ;

/* ---- tests -------------------------------------------------------- */

test_head:
    TEST string AS OF date      { $$ = ast_new(P, AST_TEST, @$); $$->a = $5; $$->label = $2; }
    ;

test_items:
    %empty                      { $$ = (parse_tests){{NULL, NULL}, {NULL, NULL}}; }
  | test_items given            { $$ = $1; $$.given = parse_list_add($1.given, $2); }
  | test_items expect           { $$ = $1; $$.expect = parse_list_add_chain($1.expect, $2); }
    ;

given:
    GIVEN name ASSIGN object       { $$ = ast_text(P, AST_GIVEN, @$, $2.s, $2.n); $$->a = $4; }
  | GIVEN error                 { $$ = NULL; ctx->resync = RESYNC_TEST; yyerrok; yyclearin; }
    ;

expect:
    EXPECT name ASSIGN expr        { $$ = ast_text(P, AST_EXPECT, @$, $2.s, $2.n); $$->a = $4; }
  | EXPECT name ASSIGN expr TO expr
                                { $$ = parse_expect_range(ctx, @$, $2, $4, $6); }
  | EXPECT name name name string { $$ = parse_expect_text(ctx, @$, $2, @2, $3, $4, @4, $5); }
  | EXPECT name name ASSIGN string
                                { $$ = parse_expect_text(ctx, @$, $2, @2, $3, (parse_str){NULL, 0, 0}, @4, $5); }
  | EXPECT KW_ERROR string      { $$ = ast_new(P, AST_EXPECT, @$); $$->op = 1; $$->a = $3; }
  | EXPECT name string          { $$ = parse_expect_refused(ctx, @$, $2, @2, $3); }
  | EXPECT error                { $$ = NULL; ctx->resync = RESYNC_TEST; yyerrok; yyclearin; }
    ;

/* ---- expressions, loosest first ----------------------------------- */

expr:
    or_expr
  | IF expr THEN expr ELSE expr { $$ = ast_new(P, AST_IF, @$); $$->a = $2; $$->b = $4; $$->c = $6; }
    ;

or_expr:
    and_expr
  | or_expr OR and_expr         { $$ = ast_new(P, AST_BINARY, @$); $$->op = OP_OR; $$->a = $1; $$->b = $3; }
    ;

and_expr:
    not_expr
  | and_expr AND not_expr       { $$ = ast_new(P, AST_BINARY, @$); $$->op = OP_AND; $$->a = $1; $$->b = $3; }
    ;

not_expr:
    cmp_expr
  | NOT not_expr                { $$ = ast_new(P, AST_UNARY, @$); $$->op = OP_NOT; $$->a = $2; }
    ;

/* Comparisons do not chain: `6 <= x <= 12` is parsed only to be
 * reported with its rewriting (`6 <= x and x <= 12`). */
cmp_expr:
    add_expr
  | add_expr cmp_op add_expr    { $$ = ast_new(P, AST_BINARY, @$); $$->op = $2; $$->a = $1; $$->b = $3; }
  | add_expr cmp_op add_expr cmp_op add_expr {
                                  $$ = ast_new(P, AST_BINARY, @$); $$->op = $2; $$->a = $1; $$->b = $3;
                                  chained_comparison(ctx, @$, @1, @2, @3, @4, @5);
                                }
    ;

cmp_op:
    EQ                          { $$ = OP_EQ; }
  | NE                          { $$ = OP_NE; }
  | LT                          { $$ = OP_LT; }
  | LE                          { $$ = OP_LE; }
  | GT                          { $$ = OP_GT; }
  | GE                          { $$ = OP_GE; }
    ;

add_expr:
    mul_expr
  | add_expr PLUS mul_expr       { $$ = ast_new(P, AST_BINARY, @$); $$->op = OP_ADD; $$->a = $1; $$->b = $3; }
  | add_expr MINUS mul_expr       { $$ = ast_new(P, AST_BINARY, @$); $$->op = OP_SUB; $$->a = $1; $$->b = $3; }
    ;

mul_expr:
    unary
  | mul_expr STAR unary          { $$ = ast_new(P, AST_BINARY, @$); $$->op = OP_MUL; $$->a = $1; $$->b = $3; }
  | mul_expr SLASH unary          { $$ = ast_new(P, AST_BINARY, @$); $$->op = OP_DIV; $$->a = $1; $$->b = $3; }
    ;

unary:
    postfix
  | MINUS unary                   { $$ = ast_new(P, AST_UNARY, @$); $$->op = OP_NEG; $$->a = $2; }
  | name_ref AT postfix         { $$ = ast_new(P, AST_AT, @$); $$->a = $1; $$->b = $3; }
    ;

postfix:
    primary
  | postfix DOT name            { $$ = ast_text(P, AST_MEMBER, @$, $3.s, $3.n); $$->a = $1; }
    ;

primary:
    int_lit
  | int_lit unit                { $$ = ast_new(P, AST_DURATION, @$); $$->op = $2; $$->a = $1; }
  | DECLIT                      { $$ = ast_text(P, AST_DEC, @$, $1.s, $1.n); $$->op = $1.suffix; }
  | string
  | date
  | TRUE                        { $$ = ast_new(P, AST_BOOL, @$); $$->op = 1; }
  | FALSE                       { $$ = ast_new(P, AST_BOOL, @$); $$->op = 0; }
  | AS_OF                       { $$ = ast_new(P, AST_AS_OF, @$); }
  | name_ref
  | call
  | agg
  | LPAREN expr RPAREN                { $$ = $2; }
  | LPAREN expr RPAREN unit           { $$ = $2; bad_duration(ctx, @$, 0); }
  | name_ref unit               { $$ = ast_new(P, AST_DURATION, @$); $$->op = $2; $$->a = $1; }
  | DECLIT unit                 { $$ = ast_text(P, AST_DEC, @$, $1.s, $1.n); bad_duration(ctx, @$, 1); }
  | LBRACK RBRACK                     { $$ = ast_new(P, AST_LIST, @$); }
  | LBRACK items RBRACK               { $$ = ast_new(P, AST_LIST, @$); $$->a = $2.head; }
  | LBRACK items COMMA RBRACK           { $$ = ast_new(P, AST_LIST, @$); $$->a = $2.head; }
  | object
    ;

int_lit:
    INTLIT                      { $$ = ast_text(P, AST_INT, @$, $1.s, $1.n); $$->op = $1.suffix; }
    ;

unit:
    DAYS                        { $$ = UNIT_DAYS; }
  | DAY                         { $$ = UNIT_DAYS; }
  | MONTHS                      { $$ = UNIT_MONTHS; }
  | MONTH                       { $$ = UNIT_MONTHS; }
  | YEARS                       { $$ = UNIT_YEARS; }
  | YEAR                        { $$ = UNIT_YEARS; }
    ;

name_ref:
    name                        { $$ = ast_text(P, AST_NAME, @$, $1.s, $1.n); }
    ;

items:
    expr %prec LIST_ITEM        { $$ = parse_list_add((parse_list){NULL, NULL}, $1); }
  | items COMMA expr              { $$ = parse_list_add($1, $3); }
    ;

object:
    LBRACE RBRACE                     { $$ = ast_new(P, AST_OBJECT, @$); }
  | LBRACE pairs RBRACE               { $$ = ast_new(P, AST_OBJECT, @$); $$->a = $2.head; }
  | LBRACE pairs COMMA RBRACE           { $$ = ast_new(P, AST_OBJECT, @$); $$->a = $2.head; }
    ;

pairs:
    pair                        { $$ = parse_list_add((parse_list){NULL, NULL}, $1); }
  | pairs COMMA pair              { $$ = parse_list_add($1, $3); }
    ;

pair:
    name COLON expr               { $$ = ast_text(P, AST_PAIR, @$, $1.s, $1.n); $$->a = $3; }
    ;

call:
    IDENT LPAREN RPAREN               { $$ = ast_text(P, AST_CALL, @$, $1.s, $1.n); }
  | IDENT LPAREN args RPAREN          { $$ = ast_text(P, AST_CALL, @$, $1.s, $1.n); $$->a = $3.head; }
  | MIN LPAREN args RPAREN            { $$ = ast_text(P, AST_CALL, @$, $1.s, $1.n); $$->a = $3.head; }
  | MAX LPAREN args RPAREN            { $$ = ast_text(P, AST_CALL, @$, $1.s, $1.n); $$->a = $3.head; }
  | ONCE LPAREN args RPAREN           { $$ = ast_text(P, AST_CALL, @$, "once", 4); $$->a = $3.head; }
    ;

args:
    expr                        { $$ = parse_list_add((parse_list){NULL, NULL}, $1); }
  | args COMMA expr               { $$ = parse_list_add($1, $3); }
    ;

agg:
    COUNT LPAREN expr RPAREN          { $$ = ast_new(P, AST_AGG, @$); $$->op = AGG_COUNT; $$->b = $3; }
  | COUNT LPAREN name IN expr where_opt RPAREN
                                { $$ = ast_text(P, AST_AGG, @$, $3.s, $3.n); $$->op = AGG_COUNT;
                                  $$->b = $5; $$->c = $6; }
  | SUM LPAREN expr FOR name IN expr where_opt RPAREN
                                { $$ = ast_text(P, AST_AGG, @$, $5.s, $5.n); $$->op = AGG_SUM;
                                  $$->a = $3; $$->b = $7; $$->c = $8; }
  | MIN LPAREN expr FOR name IN expr where_opt RPAREN
                                { $$ = ast_text(P, AST_AGG, @$, $5.s, $5.n); $$->op = AGG_MIN;
                                  $$->a = $3; $$->b = $7; $$->c = $8; }
  | MAX LPAREN expr FOR name IN expr where_opt RPAREN
                                { $$ = ast_text(P, AST_AGG, @$, $5.s, $5.n); $$->op = AGG_MAX;
                                  $$->a = $3; $$->b = $7; $$->c = $8; }
  | ANY LPAREN expr FOR name IN expr where_opt RPAREN
                                { $$ = ast_text(P, AST_AGG, @$, $5.s, $5.n); $$->op = AGG_ANY;
                                  $$->a = $3; $$->b = $7; $$->c = $8; }
  | ALL LPAREN expr FOR name IN expr where_opt RPAREN
                                { $$ = ast_text(P, AST_AGG, @$, $5.s, $5.n); $$->op = AGG_ALL;
                                  $$->a = $3; $$->b = $7; $$->c = $8; }
  | MAP LPAREN expr FATARROW expr FOR name IN expr where_opt RPAREN
                                { $$ = ast_text(P, AST_AGG, @$, $7.s, $7.n); $$->op = AGG_MAP;
                                  $$->d = $3; $$->a = $5; $$->b = $9; $$->c = $10; }
    ;

where_opt:
    %empty                      { $$ = NULL; }
  | WHERE expr                  { $$ = $2; }
    ;

%%

/* ---- error reporting ---------------------------------------------- */

/* Bison's stack overflowing is the only message that comes this way
 * (syntax errors go to yyreport_syntax_error). */
static void yyerror(YYLTYPE *loc, yyscan_t scanner, parse_ctx *ctx, const char *msg)
{
    (void)scanner;
    diag_add(ctx->dl, DIAG_ERROR, ctx->src, *loc,
             "split the expression up with `let` declarations",
             "nested too deeply for the parser (%s)", msg);
}

/* `6 <= x <= 12`: one error, whose hint is the rewriting with `and`,
 * spelt with the policy's own text. */
static void chained_comparison(parse_ctx *ctx, src_loc all, src_loc a, src_loc op1, src_loc x, src_loc op2,
                               src_loc b)
{
    const char *t = ctx->src->text;
    char hint[320];
#define SPAN(l) (int)((l).end - (l).start), t + (l).start
    int ordering = t[op1.start] != '=' && t[op1.start] != '!' && t[op2.start] != '=' && t[op2.start] != '!';
    if (all.end - all.start > 120)
        snprintf(hint, sizeof hint, "join two comparisons with `and`: `a <= x and x <= b`");
    else if (ordering)      /* a range: 6 <= x <= 12 */
        snprintf(hint, sizeof hint, "write `%.*s %.*s %.*s and %.*s %.*s %.*s`",
                 SPAN(a), SPAN(op1), SPAN(x), SPAN(x), SPAN(op2), SPAN(b));
    else                    /* an equality compared again: say which comes first */
        snprintf(hint, sizeof hint, "put the comparison meant first in brackets: `(%.*s %.*s %.*s) %.*s %.*s`",
                 SPAN(a), SPAN(op1), SPAN(x), SPAN(op2), SPAN(b));
#undef SPAN
    diag_add(ctx->dl, DIAG_ERROR, ctx->src, all, hint, "comparisons do not chain");
}

/* A duration that is not a whole number written out (`n years`,
 * `1.5 years`): date arithmetic takes literal durations only. */
static void bad_duration(parse_ctx *ctx, src_loc loc, int decimal)
{
    if (decimal)
        diag_add(ctx->dl, DIAG_ERROR, ctx->src, loc, "write a whole number of a smaller unit, e.g. `18 months`",
                 "a duration is a whole number");
    else
        diag_add(ctx->dl, DIAG_ERROR, ctx->src, loc,
                 "write the number itself, e.g. `as_of - 2 years`, or an int parameter or let: `advanced_age years`",
                 "a duration is a number or a name, followed by its unit");
}

/* Tokens that only continue an expression; left out of "expected ..."
 * when something else is expected too, so the list says what is
 * missing (`then`, `)`) rather than every operator that would fit. */
static int continues_expr(yysymbol_kind_t s)
{
    switch (s) {
    case YYSYMBOL_OR: case YYSYMBOL_AND: case YYSYMBOL_EQ: case YYSYMBOL_NE:
    case YYSYMBOL_LE: case YYSYMBOL_GE: case YYSYMBOL_LT: case YYSYMBOL_GT:
    case YYSYMBOL_PLUS: case YYSYMBOL_MINUS: case YYSYMBOL_STAR: case YYSYMBOL_SLASH:
    case YYSYMBOL_DOT: case YYSYMBOL_AT: case YYSYMBOL_DOTDOT: case YYSYMBOL_LPAREN:
    case YYSYMBOL_DAYS: case YYSYMBOL_DAY: case YYSYMBOL_MONTHS: case YYSYMBOL_MONTH:
    case YYSYMBOL_YEARS: case YYSYMBOL_YEAR:
        return 1;
    default:
        return 0;
    }
}

/* How a token is named in a message: `then`, name `incom`, string. */
static void describe(char *out, size_t size, yysymbol_kind_t s, const parse_ctx *ctx, const src_loc *loc)
{
    const char *n = yysymbol_name(s);
    size_t len = loc ? loc->end - loc->start : 0;

    if (loc && len > 0 && len <= 40 &&
        (s == YYSYMBOL_IDENT || s == YYSYMBOL_INTLIT || s == YYSYMBOL_DECLIT || s == YYSYMBOL_DATELIT))
        snprintf(out, size, "%s `%.*s`", n, (int)len, ctx->src->text + loc->start);
    else if (s == YYSYMBOL_ROWBAR)
        snprintf(out, size, loc ? "`|` at the start of a line" : "`|`");
    else
        snprintf(out, size, "%s", n);
}

static int expects(const yysymbol_kind_t *exp, int n, yysymbol_kind_t s)
{
    int i;

    for (i = 0; i < n; i++)
        if (exp[i] == s)
            return 1;
    return 0;
}

/* A hint for the usual slips, judged from the token and what would have
 * been accepted instead. */
static const char *hint_for(yysymbol_kind_t got, const yysymbol_kind_t *exp, int n, int same_line,
                            const int *prev)
{
    if (got == YYSYMBOL_ASSIGN && expects(exp, n, YYSYMBOL_EQ))
        return "`=` needs `==` for comparison; a single `=` only gives a declaration its value";
    if (got == YYSYMBOL_EQ && expects(exp, n, YYSYMBOL_ASSIGN))
        return "use a single `=` here; `==` compares two values";
    if (expects(exp, n, YYSYMBOL_THEN) && got != YYSYMBOL_ELSE)
        return "missing `then` after the condition";
    /* After a declaration's label, `else` joins the label of false. */
    if (got == YYSYMBOL_STRING && expects(exp, n, YYSYMBOL_ELSE) && expects(exp, n, YYSYMBOL_ASSIGN))
        return "only a bool has two labels, joined by `else`: `\"true label\" else \"false label\"`";
    if (expects(exp, n, YYSYMBOL_ELSE) && !expects(exp, n, YYSYMBOL_INTLIT))
        return "an `if` needs an `else` branch: `if c then a else b`";
    if (got == YYSYMBOL_ELSE && expects(exp, n, YYSYMBOL_UNLESS))
        return "`unless` has no `else`: the value after `=` applies when no `unless` does";
    if ((got == YYSYMBOL_BAR || got == YYSYMBOL_ROWBAR) && expects(exp, n, YYSYMBOL_OR))
        return "`|` only separates table cells; write `or` to join conditions";
    if (expects(exp, n, YYSYMBOL_HIT))
        return "a table needs a hit policy after its result type, e.g. `hit unique` or `hit first`";
    if (expects(exp, n, YYSYMBOL_AS) && got != YYSYMBOL_AS)
        return "a test gives its date as `as of YYYY-MM-DD`";
    if (expects(exp, n, YYSYMBOL_ARROW))
        return "a table gives its result type after `->`, e.g. `-> money per month`";
    if (got == YYSYMBOL_ROWBAR && expects(exp, n, YYSYMBOL_BAR))
        return "a table row is one line: it ends where the next line starts with `|`";
    if (got >= YYSYMBOL_POLICY && got <= YYSYMBOL_KW_TEXT && expects(exp, n, YYSYMBOL_IDENT) &&
        !expects(exp, n, YYSYMBOL_INTLIT))
        return "this word is a keyword and cannot be used as a name";
    if ((got == YYSYMBOL_IDENT || got == YYSYMBOL_INTLIT || got == YYSYMBOL_DECLIT ||
         got == YYSYMBOL_STRING || got == YYSYMBOL_DATELIT) && expects(exp, n, YYSYMBOL_PLUS) &&
        same_line)
        return "two values in a row: is an operator or a `,` missing?";
    return NULL;
}

/* "did you mean `output`?" when the unexpected token is a name close to
 * a keyword that would be accepted here (`ouput`, `unles`); NULL if none. */
static const char *keyword_hint(char *out, size_t size, yysymbol_kind_t got, const yysymbol_kind_t *exp,
                                int n, const parse_ctx *ctx, const src_loc *loc)
{
    char kw[YYNTOKENS][24];
    suggestion s;
    int i;

    if (got != YYSYMBOL_IDENT)
        return NULL;
    suggest_init(&s);
    for (i = 0; i < n; i++) {
        const char *name = yysymbol_name(exp[i]);   /* "`output`" */
        size_t len = strlen(name);
        if (len < 3 || len - 2 >= sizeof kw[0] || name[0] != '`' || name[1] < 'a' || name[1] > 'z')
            continue;
        memcpy(kw[i], name + 1, len - 2);
        kw[i][len - 2] = 0;
        suggest_consider(&s, ctx->src->text + loc->start, loc->end - loc->start, kw[i]);
    }
    if (!s.best)
        return NULL;
    snprintf(out, size, "did you mean `%s`?", s.best);
    return out;
}

/* Tokens that can start a value; when all the usual ones are expected,
 * the message says "a value" instead of listing twenty tokens. */
static int starts_value(yysymbol_kind_t s)
{
    switch (s) {
    case YYSYMBOL_IDENT: case YYSYMBOL_INTLIT: case YYSYMBOL_DECLIT: case YYSYMBOL_DATELIT:
    case YYSYMBOL_STRING: case YYSYMBOL_TRUE: case YYSYMBOL_FALSE: case YYSYMBOL_AS_OF:
    case YYSYMBOL_LPAREN: case YYSYMBOL_LBRACK: case YYSYMBOL_LBRACE: case YYSYMBOL_MINUS:
    case YYSYMBOL_NOT: case YYSYMBOL_IF: case YYSYMBOL_COUNT: case YYSYMBOL_SUM:
    case YYSYMBOL_MIN: case YYSYMBOL_MAX: case YYSYMBOL_ANY: case YYSYMBOL_ALL: case YYSYMBOL_MAP:
    case YYSYMBOL_ONCE:
        return 1;
    default:
        return 0;
    }
}

/* The end of the file came inside a bracket: the error is at the end,
 * so a note points at the bracket left open (the innermost one), which
 * may be many lines above. */
static void unclosed_note(parse_ctx *ctx)
{
    src_loc at;

    if (ctx->depth <= 0 || ctx->depth > PARSE_MAX_NESTING)
        return;
    at = ctx->open_at[ctx->depth - 1];
    diag_add(ctx->dl, DIAG_NOTE, ctx->src, at, NULL, "the `%.*s` opened here is not closed",
             (int)(at.end - at.start), ctx->src->text + at.start);
}

static int yyreport_syntax_error(const yypcontext_t *yyctx, yyscan_t scanner, parse_ctx *ctx)
{
    yysymbol_kind_t exp[YYNTOKENS];
    yysymbol_kind_t got = yypcontext_token(yyctx);
    const src_loc *loc = yypcontext_location(yyctx);
    char shown[8][96], what[96], msg[512], kwhint[64];
    const char *hint;
    size_t len;
    int n, nshown = 0, i, j, core = 0, value, same_line = 1;
    uint32_t k;

    (void)scanner;
    /* Already reported by the scanner: don't add a second message. */
    if (got == YYSYMBOL_NESTING || ctx->after_lex_error)
        return 0;

    n = yypcontext_expected_tokens(yyctx, exp, YYNTOKENS);
    if (n < 0)
        n = 0;
    for (k = ctx->prev_end; k < loc->start && k < ctx->src->len; k++)
        if (ctx->src->text[k] == '\n')
            same_line = 0;
    value = expects(exp, n, YYSYMBOL_IDENT) && expects(exp, n, YYSYMBOL_INTLIT) &&
            expects(exp, n, YYSYMBOL_LPAREN);
    for (i = 0; i < n; i++)
        if (!continues_expr(exp[i]))
            core++;
    if (value)
        snprintf(shown[nshown++], sizeof shown[0], "a value");
    for (i = 0; i < n && nshown <= 5; i++) {
        if ((core > 0 && continues_expr(exp[i])) || (value && starts_value(exp[i])))
            continue;
        /* `sum`, `count`... are names too: "name" covers them. */
        if (exp[i] >= YYSYMBOL_SUM && exp[i] <= YYSYMBOL_ALL && expects(exp, n, YYSYMBOL_IDENT))
            continue;
        describe(what, sizeof what, exp[i], ctx, NULL);
        for (j = 0; j < nshown && strcmp(shown[j], what) != 0; j++)
            ;
        if (j == nshown)
            snprintf(shown[nshown++], sizeof shown[0], "%s", what);
    }

    hint = keyword_hint(kwhint, sizeof kwhint, got, exp, n, ctx, loc);
    /* Something cut short at the end of a line is reported there, not at
     * the start of whatever comes next (unless it is a misspelt keyword). */
    if (!same_line && !hint && got != YYSYMBOL_YYEOF && nshown > 0 && nshown <= 5) {
        len = (size_t)snprintf(msg, sizeof msg, "missing ");
        for (i = 0; i < nshown && len < sizeof msg; i++)
            len += (size_t)snprintf(msg + len, sizeof msg - len, "%s%s",
                                    i == 0 ? "" : i == nshown - 1 ? " or " : ", ", shown[i]);
        if (len < sizeof msg)
            snprintf(msg + len, sizeof msg - len, " at the end of the line");
        diag_add(ctx->dl, DIAG_ERROR, ctx->src, (src_loc){ctx->prev_end, ctx->prev_end},
                 hint_for(got, exp, n, same_line, ctx->prev_tok), "%s", msg);
        return 0;
    }
    describe(what, sizeof what, got, ctx, loc);
    len = (size_t)snprintf(msg, sizeof msg, "unexpected %s", what);
    if (nshown > 0 && nshown <= 5)
        for (i = 0; i < nshown && len < sizeof msg; i++)
            len += (size_t)snprintf(msg + len, sizeof msg - len, "%s%s",
                                    i == 0 ? ", expected " : i == nshown - 1 ? " or " : ", ",
                                    shown[i]);
    if (!hint)
        hint = hint_for(got, exp, n, same_line, ctx->prev_tok);
    diag_add(ctx->dl, DIAG_ERROR, ctx->src, *loc, hint, "%s", msg);
    if (got == YYSYMBOL_YYEOF)
        unclosed_note(ctx);
    return 0;
}
